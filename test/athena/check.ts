import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unloadSql } from '../../shared/parquet/athena.ts';
import { reportQueries } from '../../shared/report/sql.ts';
import { LocalCatalog, type QueryResult } from '../../shared/sql/duckdb.ts';
import { loadQuestions, questionValues } from '../../shared/sql/questions.ts';
import { latestAndPrevious, snapshotDates } from '../../shared/sql/snapshots.ts';
import { duckdbType } from '../../shared/sql/tables.ts';
import { ALL_TABLES } from '../../functions/index.ts';
import { exampleConfig, resolveIntrinsics, synthStack } from '../infra/support/synth.ts';
import { writeTwoSnapshotTenant } from '../support/access-changes-fixture.ts';
import { decodePrestoView, loadCatalog, templateCatalog, type TemplateCatalog } from './catalog.ts';
import { compareRows, compareTypes, fingerprintSql, trinoTypeOfHive, unloadSelect } from './compare.ts';
import { startTrino, TRINO_VERSION, TrinoClient, TrinoSetupError, type TrinoServer } from './trino.ts';

/**
 * `npm run athena:check`: every query an analyst gets, run by Trino (the engine Athena is built on) over the
 * Glue catalog the stack deploys, and compared row for row with DuckDB on the same files.
 *
 * Datasets: the demo output (`npm run demo`, plus a copy of its snapshot as the day before, so the questions
 * that compare two dates have two), and the two-snapshot tenant of test/sql/access-changes.test.ts.
 * Per dataset: every table (the template's SerDe reads the output: rows and types), every view (declared
 * column types against Trino's inference, then rows), the five questions with their parameters, every named
 * query of the template, the SELECT of every Parquet UNLOAD, the report's queries; then each table's Parquet
 * copy written by Trino from the UNLOAD's column list, read back with DuckDB and compared with the JSON rows.
 *
 * Options (environment): ATHENA_CHECK_DEMO_OUT=<dir> uses an existing demo output instead of running the demo,
 * ATHENA_CHECK_DEMO=0 skips the demo (the two-snapshot tenant only), ATHENA_CHECK_FULL=1 runs everything on it;
 * TRINO_JAVA_HOME, TRINO_CACHE_DIR, MAVEN_REPO (see test/athena/trino.ts); ATHENA_CHECK_TRINO_URL and
 * ATHENA_CHECK_METASTORE reuse a running server (development).
 */

type Json = Parameters<typeof resolveIntrinsics>[0];

interface Outcome {
  readonly dataset: string;
  readonly kind: string;
  readonly name: string;
  readonly duckdbRows?: number;
  readonly trinoRows?: number;
  readonly problems: readonly string[];
}

const log = (s: string) => process.stdout.write(`${s}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function runDemo(out: string): Promise<void> {
  log(`running the demo into ${out} (npm run demo, about a minute)`);
  await new Promise<void>((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/demo.ts'], { env: { ...process.env, DEMO_OUT: out }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', rej);
    child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`the demo exited ${code}`))));
  });
}

/** Copy every `<table>/dt=<date>` folder to `dt=<day before>` (how the README's figures get a previous snapshot). */
async function addPreviousDay(root: string, date: string): Promise<string> {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  const previous = d.toISOString().slice(0, 10);
  for (const t of await readdir(root)) {
    if (t.startsWith('_') || t === 'parquet') continue;
    await cp(join(root, t, `dt=${date}`), join(root, t, `dt=${previous}`), { recursive: true }).catch(() => undefined);
  }
  return previous;
}

async function both(duck: LocalCatalog, trino: TrinoClient, sql: string, params?: readonly string[]): Promise<{ d: QueryResult; t?: QueryResult; error?: string }> {
  const d = await duck.query(sql, params);
  try {
    return { d, t: await trino.query(sql, params) };
  } catch (e) {
    return { d, error: `Trino: ${(e as Error).message.split('\n')[0]}` };
  }
}

async function compare(dataset: string, kind: string, name: string, duck: LocalCatalog, trino: TrinoClient, sql: string, params?: readonly string[]): Promise<Outcome> {
  const { d, t, error } = await both(duck, trino, sql, params);
  if (!t) return { dataset, kind, name, duckdbRows: d.rows.length, problems: [error ?? 'no result'] };
  const diff = compareRows(d, t);
  return { dataset, kind, name, duckdbRows: diff.duckdbRows, trinoRows: diff.trinoRows, problems: diff.problems };
}

async function checkDataset(dataset: string, root: string, server: { metastoreDir: string }, trino: TrinoClient, catalog: TemplateCatalog, scratch: string, full: boolean): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let last = Date.now();
  const push = (o: Outcome) => {
    out.push(o);
    const ms = Date.now() - last;
    last = Date.now();
    log(`  ${o.problems.length ? 'FAIL' : 'ok  '} ${o.kind.padEnd(12)} ${o.name.padEnd(48)} ${o.duckdbRows ?? '-'} / ${o.trinoRows ?? '-'}  ${seconds(ms)}${o.problems.length ? `\n       ${o.problems.join('\n       ')}` : ''}`);
  };
  const { partitions } = await loadCatalog(trino, server.metastoreDir, catalog, root);
  const { date, previous } = latestAndPrevious(await snapshotDates(root));
  if (!date) throw new Error(`${dataset}: no snapshot in ${root}`);
  log(`${dataset}: ${root}, snapshot ${date}${previous ? ` (previous ${previous})` : ''}, ${catalog.tables.length} tables (${partitions} partitions registered), ${catalog.views.length} views`);
  const duck = await LocalCatalog.open(root, { tables: ALL_TABLES });
  try {
    // The UNLOAD statements name the table with its database, as Athena resolves it in the Glue catalog.
    await duck.connection.run(`CREATE SCHEMA ${catalog.database}`);
    for (const t of catalog.tables) await duck.connection.run(`CREATE VIEW ${catalog.database}.${t.Name} AS SELECT * FROM main.${t.Name}`);

    // Tables: the template's SerDe reads every row, with the declared types.
    for (const t of catalog.tables) {
      const { d, t: r, error } = await both(duck, trino, `SELECT * FROM ${t.Name}`);
      const declared = [...t.StorageDescriptor.Columns, ...t.PartitionKeys].map((c) => ({ name: c.Name, type: trinoTypeOfHive(c.Type) }));
      const problems = r ? [...compareTypes(`table ${t.Name}`, declared, r.columns.map((name, i) => ({ name, type: r.types[i] ?? '?' }))), ...compareRows(d, r).problems] : [error ?? ''];
      push({ dataset, kind: 'table', name: t.Name, duckdbRows: d.rows.length, ...(r ? { trinoRows: r.rows.length } : {}), problems });
    }

    // Views: the declared columns are what Trino infers from the SQL, then the rows.
    for (const v of catalog.views) {
      const pv = decodePrestoView(v);
      let problems: string[] = [];
      try {
        const r = await trino.query(`SELECT * FROM (\n${pv.originalSql}\n) LIMIT 0`);
        problems = compareTypes(`view ${v.Name}`, pv.columns, r.columns.map((name, i) => ({ name, type: r.types[i] ?? '?' })));
      } catch (e) {
        problems = [`view ${v.Name}: Trino rejects its SQL: ${(e as Error).message.split('\n')[0]}`];
      }
      // One date (the latest; access_changes: the latest pair): the demo's previous day is a copy of it, and the
      // full history of the largest views would only repeat the same comparison at twice the cost.
      const filter = pv.columns.some((c) => c.name === 'dt') ? `WHERE dt = '${date}'` : previous ? `WHERE from_dt = '${previous}' AND to_dt = '${date}'` : '';
      const relation = `SELECT * FROM ${v.Name} ${filter}`;
      let rows: Outcome;
      try {
        const fd = await duck.query(fingerprintSql('duckdb', relation, pv.columns));
        const ft = await trino.query(fingerprintSql('trino', relation, pv.columns));
        const diff = compareRows(fd, ft);
        rows = { dataset, kind: 'view', name: v.Name, duckdbRows: diff.duckdbRows, trinoRows: diff.trinoRows, problems: [] };
        // Fingerprints differ: fetch the rows to say which.
        if (!diff.equal) rows = await compare(dataset, 'view', v.Name, duck, trino, relation);
      } catch (e) {
        rows = { dataset, kind: 'view', name: v.Name, problems: [`Trino: ${(e as Error).message.split('\n')[0]}`] };
      }
      push({ ...rows, problems: [...problems, ...rows.problems] });
    }

    // The five questions, with their parameters.
    for (const q of loadQuestions()) {
      if (q.params.some((p) => p.name === 'from_dt') && !previous) continue;
      push(await compare(dataset, 'question', `Q${q.number} ${q.file}`, duck, trino, q.sql, questionValues(q, date, previous)));
    }

    if (!full) return out;

    // Every named query of the template, as saved (the questions' parameters bound when it has '?').
    const questions = loadQuestions();
    for (const nq of catalog.namedQueries) {
      const n = /^Q(\d+)\./.exec(nq.name)?.[1];
      const q = n ? questions.find((x) => x.number === Number(n)) : undefined;
      if (q?.params.some((p) => p.name === 'from_dt') && !previous) continue;
      push(await compare(dataset, 'named query', nq.name, duck, trino, nq.sql, q ? questionValues(q, date, previous) : undefined));
    }

    // The SELECT of every Parquet UNLOAD.
    for (const t of ALL_TABLES) {
      const select = unloadSelect(unloadSql(t, { database: catalog.database, date, location: 's3://bucket/data/parquet/x/' }));
      push(await compare(dataset, 'unload', t.name, duck, trino, select));
    }

    // The report's queries.
    const rq = reportQueries(date, previous ?? null);
    for (const [name, sql] of Object.entries(rq)) if (sql) push(await compare(dataset, 'report', name, duck, trino, sql));

    // Parquet through Trino: each table's copy written by Trino from the UNLOAD's column list, read back by DuckDB.
    const pqSchema = `${catalog.database}_parquet_check`;
    await trino.query(`DROP SCHEMA IF EXISTS ${pqSchema} CASCADE`).catch(() => undefined);
    await trino.query(`CREATE SCHEMA ${pqSchema}`);
    for (const t of ALL_TABLES) {
      const select = unloadSelect(unloadSql(t, { database: catalog.database, date, location: 's3://bucket/data/parquet/x/' }));
      const dir = join(scratch, 'parquet', dataset, t.name);
      // Trino writes an external table only into a folder that does not exist yet.
      await rm(dir, { recursive: true, force: true });
      await mkdir(join(dir, '..'), { recursive: true });
      const problems: string[] = [];
      let trinoRows: number | undefined;
      try {
        const json = await duck.query(select);
        // Nothing to write: Trino writes no file for no rows, and then refuses the missing location.
        if (!json.rows.length) {
          push({ dataset, kind: 'parquet', name: t.name, duckdbRows: 0, trinoRows: 0, problems: [] });
          continue;
        }
        await trino.query(`CREATE TABLE ${pqSchema}.${t.name} WITH (format = 'PARQUET', external_location = 'local://${dir}', partitioned_by = ARRAY['org']) AS ${select}`);
        const files = (await readdir(dir, { recursive: true })).filter((f) => !f.split('/').some((p) => p.startsWith('.')) && /org=[^/]+\/[^/]+$/.test(f));
        if (!files.length) {
          trinoRows = 0;
          if (json.rows.length) problems.push(`Trino wrote no Parquet file for ${json.rows.length} rows`);
        } else {
          const read = `read_parquet([${files.map((f) => `'${join(dir, f)}'`).join(', ')}], hive_partitioning = true, hive_types = {'org': 'VARCHAR'})`;
          const pq = await duck.query(`SELECT ${[...t.columns.map((c) => c.name), 'org'].join(', ')} FROM ${read}`);
          trinoRows = pq.rows.length;
          problems.push(...compareRows(json, pq).problems);
          const types = await duck.query(`DESCRIBE SELECT * FROM ${read}`);
          const got = new Map(types.rows.map((r) => [String(r.column_name), String(r.column_type)]));
          for (const c of t.columns) if (got.get(c.name) !== duckdbType(c.type)) problems.push(`parquet ${t.name}.${c.name}: schema ${duckdbType(c.type)}, Trino's Parquet file has ${got.get(c.name) ?? 'no such column'}`);
        }
        push({ dataset, kind: 'parquet', name: t.name, duckdbRows: json.rows.length, ...(trinoRows !== undefined ? { trinoRows } : {}), problems });
      } catch (e) {
        push({ dataset, kind: 'parquet', name: t.name, problems: [`Trino: ${(e as Error).message.split('\n')[0]}`] });
      }
    }
  } finally {
    duck.close();
  }
  return out;
}

async function main(): Promise<number> {
  const started = Date.now();
  const scratch = await mkdtemp(join(tmpdir(), 'athena-check-'));
  let server: (Pick<TrinoServer, 'url' | 'metastoreDir' | 'close'> & { startupMs?: number; version?: string }) | undefined;
  try {
    const template = synthStack(exampleConfig()).template.toJSON() as { Resources: Record<string, { Type: string; Properties?: Json }> };
    // Locations and ARNs are CloudFormation intrinsics (the bucket's name): resolve them to strings.
    for (const r of Object.values(template.Resources)) {
      if (r.Properties && (r.Type === 'AWS::Glue::Table' || r.Type === 'AWS::Athena::NamedQuery')) r.Properties = resolveIntrinsics(r.Properties, {}, template.Resources);
    }
    const catalog = templateCatalog(template);
    log(`template: ${catalog.tables.length} Glue tables, ${catalog.views.length} views, ${catalog.namedQueries.length} named queries (${seconds(Date.now() - started)})`);

    // Data first (the demo takes a minute), Trino next.
    const demo = join(scratch, 'demo');
    const withDemo = process.env.ATHENA_CHECK_DEMO !== '0';
    if (!withDemo) await mkdir(demo, { recursive: true });
    else if (process.env.ATHENA_CHECK_DEMO_OUT) await cp(resolve(process.env.ATHENA_CHECK_DEMO_OUT), demo, { recursive: true });
    else await runDemo(demo);
    for (const d of await readdir(demo)) if (d.startsWith('_') || d === 'parquet') await rm(join(demo, d), { recursive: true, force: true });
    const { date: demoDate } = latestAndPrevious(await snapshotDates(demo));
    if (withDemo && !demoDate) throw new Error('the demo wrote no snapshot');
    if (demoDate) await addPreviousDay(demo, demoDate);
    const changes = join(scratch, 'two-snapshots');
    await mkdir(changes, { recursive: true });
    await writeTwoSnapshotTenant(changes);

    if (process.env.ATHENA_CHECK_TRINO_URL && process.env.ATHENA_CHECK_METASTORE) {
      server = { url: process.env.ATHENA_CHECK_TRINO_URL, metastoreDir: process.env.ATHENA_CHECK_METASTORE, close: async () => {} };
    } else {
      log(`starting Trino ${TRINO_VERSION}`);
      server = await startTrino({ workDir: join(scratch, 'trino'), log });
      log(`Trino ${server.version} started in ${seconds(server.startupMs ?? 0)}`);
    }
    const trino = new TrinoClient(server.url, catalog.database);
    const outcomes: Outcome[] = [];
    // Everything on the small two-snapshot tenant; on the demo, the tables, views and questions (the rest too with
    // ATHENA_CHECK_FULL=1: the named queries repeat the questions' SQL, and on a busy 2-core machine each large
    // view takes Trino minutes).
    outcomes.push(...(await checkDataset('two-snapshots', changes, server, trino, catalog, scratch, true)));
    if (withDemo) outcomes.push(...(await checkDataset('demo', demo, server, trino, catalog, scratch, process.env.ATHENA_CHECK_FULL === '1')));

    const failed = outcomes.filter((o) => o.problems.length);
    log('');
    log(`row counts per view (DuckDB / Trino):`);
    for (const o of outcomes.filter((x) => x.kind === 'view')) log(`  ${o.dataset.padEnd(14)} ${o.name.padEnd(40)} ${String(o.duckdbRows ?? '-').padStart(8)} / ${String(o.trinoRows ?? '-').padStart(8)}`);
    log('');
    log(`Trino ${server.version ?? '(running)'}${server.startupMs ? `, start-up ${seconds(server.startupMs)}` : ''}; whole check ${seconds(Date.now() - started)}; ${outcomes.length} comparisons, ${failed.length} failed`);
    for (const f of failed) log(`FAILED ${f.dataset} ${f.kind} ${f.name}:\n  ${f.problems.join('\n  ')}`);
    return failed.length ? 1 : 0;
  } catch (e) {
    if (e instanceof TrinoSetupError) {
      process.stderr.write(`athena:check cannot run: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await server?.close();
    if (!process.env.ATHENA_CHECK_KEEP) await rm(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main();
