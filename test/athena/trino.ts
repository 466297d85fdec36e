import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { freePort } from '../support/free-port.ts';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CollectorError } from '../../shared/errors.ts';
import type { QueryResult, SqlEngine, SqlRow, SqlValue } from '../../shared/sql/duckdb.ts';

/**
 * Trino, the engine Athena (engine version 3) is built on, run locally for `npm run athena:check`.
 *
 * What is fetched: Trino publishes on Maven Central a core server (`io.trino:trino-server-core:<v>:tar.gz`,
 * 194 MB for 476: the engine and a few plugins) and each connector as its own plugin zip
 * (`io.trino:trino-hive:<v>:zip`, 258 MB), so only the Hive connector is fetched instead of the full
 * `trino-server` tarball (821 MB, every connector). Maven keeps both in ~/.m2 (a machine-wide cache, never in
 * the repository); they are unpacked once into ~/.cache/atlassian-access-collector/trino-<v>/.
 *
 * Trino 476 is compiled for Java 24 (class file version 68; its start-up check says "Java 22+", but the
 * classes load only on 24 or later), so a JDK >= 24 is looked up: TRINO_JAVA_HOME, JAVA_HOME, then
 * /usr/lib/jvm/* (these machines default to 17 and have a Temurin 25 beside it).
 */
export const TRINO_VERSION = '476';
export const TRINO_MIN_JAVA = 24;
/** The catalog name Athena gives the Glue Data Catalog, which the Presto view definitions name. */
export const TRINO_CATALOG = 'awsdatacatalog';

/** Java or Trino cannot be found, installed or started: the message says what is missing and what to do. */
export class TrinoSetupError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'TrinoSetupError';
  }
}

/** Trino rejected or failed a statement. */
export class TrinoQueryError extends CollectorError {
  readonly errorName: string;
  constructor(message: string, errorName: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'TrinoQueryError';
    this.errorName = errorName;
  }
}

function javaMajor(javaHome: string): number | undefined {
  try {
    const release = readFileSync(join(javaHome, 'release'), 'utf8');
    const v = /^JAVA_VERSION="(\d+)/m.exec(release)?.[1];
    if (v && existsSync(join(javaHome, 'bin', 'java'))) return Number(v);
  } catch {
    // not a JDK
  }
  return undefined;
}

/** A JDK home whose major version is at least {@link TRINO_MIN_JAVA}. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.TRINO_JAVA_HOME) candidates.push(env.TRINO_JAVA_HOME);
  if (env.JAVA_HOME) candidates.push(env.JAVA_HOME);
  try {
    candidates.push(...readdirSync('/usr/lib/jvm').sort().reverse().map((d) => join('/usr/lib/jvm', d)));
  } catch {
    // no system JDKs
  }
  const seen: string[] = [];
  for (const c of candidates) {
    const major = javaMajor(c);
    if (major !== undefined) seen.push(`${c} (${major})`);
    if (major !== undefined && major >= TRINO_MIN_JAVA) return c;
  }
  throw new TrinoSetupError(
    `Trino ${TRINO_VERSION} needs Java ${TRINO_MIN_JAVA} or later and none was found (${seen.length ? `found: ${seen.join(', ')}` : 'no JDK in TRINO_JAVA_HOME, JAVA_HOME or /usr/lib/jvm'}). ` +
      `Install one (e.g. Debian's temurin-25-jdk from Adoptium, or any JDK ${TRINO_MIN_JAVA}+) and set TRINO_JAVA_HOME to its home.`,
  );
}

const m2 = (env: NodeJS.ProcessEnv) => env.MAVEN_REPO ?? join(homedir(), '.m2', 'repository');
const artifactPath = (env: NodeJS.ProcessEnv, artifact: string, ext: string) => join(m2(env), 'io', 'trino', artifact, TRINO_VERSION, `${artifact}-${TRINO_VERSION}.${ext}`);

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new TrinoSetupError(`${what} failed (${cmd} ${args.join(' ')}): ${r.error?.message ?? `exit ${r.status}`}\n${out}`, { cause: r.error });
  }
}

/** Fetch an artifact into the Maven repository (~/.m2) unless it is there. */
function fetchArtifact(env: NodeJS.ProcessEnv, artifact: string, ext: string, log: (s: string) => void): string {
  const file = artifactPath(env, artifact, ext);
  if (existsSync(file)) return file;
  log(`fetching io.trino:${artifact}:${TRINO_VERSION}:${ext} from Maven Central into ${m2(env)} (once per machine)`);
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
    throw new TrinoSetupError(`Trino ${TRINO_VERSION} is not in ${m2(env)} and Maven (mvn) is not installed to fetch it. Install Maven (Debian: apt-get install maven) or put ${artifact}-${TRINO_VERSION}.${ext} there.`);
  }
  run('mvn', ['-B', '-q', 'dependency:get', `-Dmaven.repo.local=${m2(env)}`, `-Dartifact=io.trino:${artifact}:${TRINO_VERSION}:${ext}`, '-Dtransitive=false'], `downloading ${artifact}`);
  if (!existsSync(file)) throw new TrinoSetupError(`Maven reported success but ${file} is missing`);
  return file;
}

/** The unpacked server with the Hive plugin, installing it on first use. Returns its home directory. */
export function installTrino(env: NodeJS.ProcessEnv = process.env, log: (s: string) => void = () => {}): string {
  const cache = env.TRINO_CACHE_DIR ?? join(homedir(), '.cache', 'atlassian-access-collector', `trino-${TRINO_VERSION}`);
  const home = join(cache, 'server');
  if (existsSync(join(home, 'plugin', 'hive')) && existsSync(join(home, 'lib'))) return home;
  const core = fetchArtifact(env, 'trino-server-core', 'tar.gz', log);
  const hive = fetchArtifact(env, 'trino-hive', 'zip', log);
  const tmp = join(cache, `unpack-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`unpacking Trino ${TRINO_VERSION} into ${home}`);
  run('tar', ['xzf', core, '-C', tmp], 'unpacking the Trino server');
  // The plugin zip holds one folder, trino-hive-<v>/, with the connector's jars.
  if (spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0) run('unzip', ['-q', hive, '-d', join(tmp, 'hive')], 'unpacking the Hive plugin');
  else run('python3', ['-m', 'zipfile', '-e', hive, join(tmp, 'hive')], 'unpacking the Hive plugin');
  const server = join(tmp, `trino-server-core-${TRINO_VERSION}`);
  renameSync(join(tmp, 'hive', `trino-hive-${TRINO_VERSION}`), join(server, 'plugin', 'hive'));
  rmSync(home, { recursive: true, force: true });
  renameSync(server, home);
  rmSync(tmp, { recursive: true, force: true });
  return home;
}

export interface TrinoOptions {
  /** Scratch folder: configuration, node data, the server log, and the file metastore under `metastore/`. */
  readonly workDir: string;
  /** Seconds to wait for the server to start before it is killed. @default 600 (TRINO_START_TIMEOUT_SECONDS); 177 s was seen on a loaded 2-core machine */
  readonly startTimeoutSeconds?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (s: string) => void;
}

/** A running local Trino with one Hive catalog, `awsdatacatalog`, over a file metastore. */
export interface TrinoServer {
  readonly url: string;
  /** Where the file metastore keeps its schemas (`<dir>/<schema>/<table>/.trinoSchema`). */
  readonly metastoreDir: string;
  readonly version: string;
  readonly startupMs: number;
  readonly logFile: string;
  close(): Promise<void>;
}

const InfoSchema = z.object({ starting: z.boolean(), nodeVersion: z.object({ version: z.string() }) });

/**
 * Start Trino: a single node (coordinator and worker), the Hive connector as catalog `awsdatacatalog` with a
 * file metastore and the local file system, so tables point at `local:///<absolute path>`. The wait for
 * start-up is bounded, and the process is killed on close, on a failed start and when this process exits.
 */
export async function startTrino(o: TrinoOptions): Promise<TrinoServer> {
  const env = o.env ?? process.env;
  const log = o.log ?? (() => {});
  const javaHome = findJava(env);
  const home = installTrino(env, log);
  const port = await freePort();
  const etc = join(o.workDir, 'etc');
  const metastoreDir = join(o.workDir, 'metastore');
  mkdirSync(join(etc, 'catalog'), { recursive: true });
  mkdirSync(metastoreDir, { recursive: true });
  writeFileSync(
    join(etc, 'config.properties'),
    [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      `discovery.uri=http://127.0.0.1:${port}`,
      'query.max-memory=1GB',
      'query.max-memory-per-node=1GB',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(etc, 'catalog', `${TRINO_CATALOG}.properties`),
    [
      'connector.name=hive',
      'hive.metastore=file',
      // Paths are local:///<absolute path>: the local file system rooted at /.
      `hive.metastore.catalog.dir=local://${metastoreDir}`,
      'fs.native-local.enabled=true',
      'local.location=/',
      // Partitions are registered from the folders that exist (Trino has no partition projection).
      'hive.allow-register-partition-procedure=true',
      // Parquet copies are written as external tables under a scratch folder.
      'hive.non-managed-table-writes-enabled=true',
      'hive.parquet.time-zone=UTC',
      '',
    ].join('\n'),
  );
  const logFile = join(o.workDir, 'server.log');
  const fd = openSync(logFile, 'w');
  const started = Date.now();
  const child: ChildProcess = spawn(
    join(javaHome, 'bin', 'java'),
    [
      '-Xmx2G',
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djdk.attach.allowAttachSelf=true',
      '-Dfile.encoding=UTF-8',
      '-Duser.timezone=UTC',
      '-cp',
      join(home, 'lib', '*'),
      `-Dconfig=${join(etc, 'config.properties')}`,
      `-Dcatalog.config-dir=${join(etc, 'catalog')}`,
      `-Dplugin.dir=${join(home, 'plugin')}`,
      '-Dnode.environment=athena_check',
      `-Dnode.id=athena-check-${process.pid}`,
      `-Dnode.data-dir=${join(o.workDir, 'data')}`,
      '-Dlog.levels-file=/dev/null',
      'io.trino.server.TrinoServer',
    ],
    { stdio: ['ignore', fd, fd], cwd: home },
  );
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const kill = () => {
    if (exited === undefined) child.kill('SIGKILL');
  };
  // Never leave a server behind: on exit, and on Ctrl-C or a CI timeout's SIGTERM (then exit as killed).
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', kill);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const close = async (): Promise<void> => {
    process.removeListener('exit', kill);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (exited !== undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (o.startTimeoutSeconds ?? defaultStartTimeout()) * 1000;
  const tail = () => readFileSync(logFile, 'utf8').split('\n').filter((l) => /ERROR|Exception|requires|^\d+\) /.test(l)).slice(-8).join('\n');
  for (;;) {
    if (exited !== undefined) throw new TrinoSetupError(`Trino exited during start-up (exit ${exited}); see ${logFile}:\n${tail()}`);
    if (Date.now() > deadline) {
      await close();
      throw new TrinoSetupError(`Trino did not start within ${o.startTimeoutSeconds ?? defaultStartTimeout()} s (killed); see ${logFile}:\n${tail()}`);
    }
    try {
      const res = await fetch(`${url}/v1/info`);
      const info = InfoSchema.safeParse(await res.json());
      if (info.success && !info.data.starting) return { url, metastoreDir, version: info.data.nodeVersion.version, startupMs: Date.now() - started, logFile, close };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The protocol's result pages (Trino client REST API, "Client protocol" in the Trino docs). */
const PageSchema = z.object({
  id: z.string().optional(),
  nextUri: z.string().optional(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  data: z.array(z.array(z.unknown())).optional(),
  error: z.object({ message: z.string(), errorName: z.string().optional() }).optional(),
});

function toValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toValue);
  return JSON.stringify(v);
}

/**
 * A Trino session over the HTTP client protocol: POST /v1/statement, then follow `nextUri` until it is absent.
 * `?` parameters are bound the way Athena binds a saved query's execution parameters: as a prepared statement
 * executed `USING` the values (the statement travels in the X-Trino-Prepared-Statement header).
 */
export class TrinoClient implements SqlEngine {
  constructor(
    readonly url: string,
    readonly schema: string,
  ) {}

  async query(sql: string, params?: readonly (string | number | boolean | null)[]): Promise<QueryResult> {
    const headers: Record<string, string> = { 'X-Trino-User': 'athena-check', 'X-Trino-Catalog': TRINO_CATALOG, 'X-Trino-Schema': this.schema, 'X-Trino-Time-Zone': 'UTC' };
    let body = sql;
    if (params?.length) {
      headers['X-Trino-Prepared-Statement'] = `q=${encodeURIComponent(sql)}`;
      body = `EXECUTE q USING ${params.map((p) => (p === null ? 'NULL' : typeof p === 'string' ? `'${p.replace(/'/g, "''")}'` : String(p))).join(', ')}`;
    }
    let res = await fetch(`${this.url}/v1/statement`, { method: 'POST', body, headers });
    let columns: { name: string; type: string }[] | undefined;
    const rows: SqlRow[] = [];
    let next: string | undefined;
    for (;;) {
      // 503: the coordinator is busy; the protocol says to retry the same request after a short pause.
      if (res.status === 503) {
        await new Promise((r) => setTimeout(r, 100));
        res = next ? await fetch(next, { headers: { 'X-Trino-User': 'athena-check' } }) : await fetch(`${this.url}/v1/statement`, { method: 'POST', body, headers });
        continue;
      }
      if (!res.ok) throw new TrinoQueryError(`Trino answered HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`, 'HTTP');
      const page = PageSchema.parse(await res.json());
      if (page.error) throw new TrinoQueryError(page.error.message, page.error.errorName ?? 'UNKNOWN');
      columns ??= page.columns;
      for (const d of page.data ?? []) {
        const cols = columns ?? [];
        rows.push(Object.fromEntries(cols.map((c, i) => [c.name, toValue(d[i])])));
      }
      next = page.nextUri;
      if (!next) break;
      res = await fetch(next, { headers: { 'X-Trino-User': 'athena-check' } });
    }
    return { columns: (columns ?? []).map((c) => c.name), types: (columns ?? []).map((c) => c.type), rows };
  }

  close(): void {}
}

/** The start-up bound: a hang guard, not a speed target (TRINO_START_TIMEOUT_SECONDS overrides it). */
function defaultStartTimeout(): number {
  const v = Number(process.env.TRINO_START_TIMEOUT_SECONDS);
  return Number.isInteger(v) && v > 0 ? v : 600;
}
