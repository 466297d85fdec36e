import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFinalizeHandler } from '../../functions/handlers/finalize.ts';
import { moduleFor } from '../../functions/index.ts';
import type { Unit } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { doneMarkerKey } from '../../shared/engine/collect.ts';
import { ParquetConversionError } from '../../shared/parquet/errors.ts';
import { convertWithAthena, parquetLocation, unloadSql, type AthenaParquetOptions } from '../../shared/parquet/athena.ts';
import { publishedPartKey, stagedPartKey } from '../../shared/sink/layout.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { ALL_TABLES } from '../../functions/index.ts';
import { finalizeRun } from '../../shared/workflow/finalize.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { seedRunState } from '../support/run-state.ts';
import { freshBucket, motoS3 } from '../support/moto.ts';

const table = (name: string) => {
  const t = ALL_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};
const unitA: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic', secretName: 's/a' } };
const unitG: Unit = { org: 'globex', product: 'confluence', siteUrl: 'https://globex.atlassian.net', auth: { kind: 'basic', secretName: 's/g' } };
const run = { id: 'run-1', date: '2026-11-28' };
const noSleep = async () => undefined;

const dirs: string[] = [];
async function store(): Promise<LocalStore> {
  const d = await mkdtemp(join(tmpdir(), 'athena-parquet-'));
  dirs.push(d);
  return new LocalStore(d);
}
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

function options(s: LocalStore, o: Partial<AthenaParquetOptions> = {}): AthenaParquetOptions {
  return { athena: new AthenaClient({ region: 'eu-central-1' }), store: s, bucket: 'bkt', dataPrefix: 'data', workGroup: 'atlassian-access', database: 'atlassian_access', sleep: noSleep, ...o };
}

describe('UNLOAD statement', () => {
  it('selects the columns of the zod schema in order, then org, for one date into dt=<date>/', () => {
    expect(unloadSql(table('jira_users'), { database: 'atlassian_access', date: '2026-11-28', location: parquetLocation('bkt', 'data', 'jira_users') })).toBe(
      `UNLOAD (SELECT "account_id", "account_type", "display_name", "email_address", "active", "app_type", "guest", "locale", "time_zone", "site", "collected_at", "deployment", "org" FROM "atlassian_access"."jira_users" WHERE "dt" = '2026-11-28')\n` +
        `TO 's3://bkt/data/parquet/jira_users/dt=2026-11-28/'\n` +
        `WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['org'])`,
    );
  });

  it('is generated for every table from its columns', () => {
    for (const t of ALL_TABLES) {
      const sql = unloadSql(t, { database: 'db', date: '2026-01-02', location: `s3://b/parquet/${t.name}/` });
      expect(sql).toBe(
        `UNLOAD (SELECT ${[...t.columns.map((c) => `"${c.name}"`), '"org"'].join(', ')} FROM "db"."${t.name}" WHERE "dt" = '2026-01-02')\n` +
          `TO 's3://b/parquet/${t.name}/dt=2026-01-02/'\nWITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['org'])`,
      );
    }
  });

  it('refuses a date that is not yyyy-MM-dd', () => {
    expect(() => unloadSql(table('jira_users'), { database: 'db', date: "2026-11-28' OR '1'='1", location: 's3://b/x/' })).toThrow("is not a snapshot date (yyyy-MM-dd)");
  });
});

describe('convertWithAthena', () => {
  it('replaces the previous copy of the date, starts one UNLOAD per table in the workgroup, and polls until it succeeds', async () => {
    const s = await store();
    await s.write('parquet/jira_users/dt=2026-11-28/org=acme/old-file', Readable.from(['x']));
    await s.write('parquet/jira_users/dt=2026-11-27/org=acme/keep', Readable.from(['x']));
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1234 } } });
    const sleeps: number[] = [];
    const r = await convertWithAthena('2026-11-28', [table('jira_users')], options(s, { sleep: async (ms) => void sleeps.push(ms), pollIntervalMs: 500 }));
    expect(r).toEqual([{ table: 'jira_users', queryExecutionId: 'q-1', dataScannedBytes: 1234 }]);
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueryString: unloadSql(table('jira_users'), { database: 'atlassian_access', date: '2026-11-28', location: 's3://bkt/data/parquet/jira_users/' }),
        WorkGroup: 'atlassian-access',
        QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'atlassian_access' },
      },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input)).toEqual(Array(3).fill({ QueryExecutionId: 'q-1' }));
    expect(sleeps).toEqual([500, 500]);
    expect(await s.list('parquet/')).toEqual(['parquet/jira_users/dt=2026-11-27/org=acme/keep']);
  });

  it('fails naming the table and the Athena error when a query fails, after trying the other tables', async () => {
    const s = await store();
    athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString?: string }) => ({ QueryExecutionId: input.QueryString?.includes('"jira_groups"') ? 'q-bad' : 'q-ok' }));
    athena.on(GetQueryExecutionCommand, { QueryExecutionId: 'q-ok' }).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryExecutionCommand, { QueryExecutionId: 'q-bad' }).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'reason', AthenaError: { ErrorMessage: 'HIVE_BAD_DATA: Error parsing field value' } } },
    });
    const err = await convertWithAthena('2026-11-28', [table('jira_users'), table('jira_groups'), table('jira_projects')], options(s)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetConversionError);
    expect((err as ParquetConversionError).table).toBe('jira_groups');
    expect((err as Error).message).toBe('converting jira_groups to Parquet failed: Athena query q-bad FAILED in workgroup atlassian-access: HIVE_BAD_DATA: Error parsing field value');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(3);
  });

  it('stops a query that does not finish within its checks and reports it', async () => {
    const s = await store();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-slow' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const err = await convertWithAthena('2026-11-28', [table('jira_users')], options(s, { maxPolls: 3, pollIntervalMs: 10 })).catch((e: unknown) => e);
    expect((err as Error).message).toBe('converting jira_users to Parquet failed: Athena query q-slow was still RUNNING after 3 checks 10 ms apart; it was stopped. Athena may be queueing queries in workgroup atlassian-access (its concurrency quota); the next run tries again.');
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-slow' }]);
  });

  it('names the table when Athena refuses to start the query', async () => {
    const s = await store();
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('User is not authorized to perform: athena:StartQueryExecution'), { name: 'AccessDeniedException' }));
    await expect(convertWithAthena('2026-11-28', [table('jira_users')], options(s))).rejects.toThrow(
      "converting jira_users to Parquet failed: Athena did not start it in workgroup atlassian-access (AccessDeniedException: User is not authorized to perform: athena:StartQueryExecution). Check that the workgroup exists and that the function's role may run queries in it (redeploy the stack).",
    );
  });
});

describe('finalize with the Parquet conversion', () => {
  const stats = { ...emptyStats(), rows: { jira_users: 1 }, requests: 3, invocations: 1 };
  async function staged(s: LocalStore | { write: LocalStore['write'] }, unit: Unit): Promise<void> {
    await s.write(stagedPartKey(run, unit, 'jira_users', 0, 0), Readable.from([gzipSync('{"account_id":"a"}\n')]));
    await s.write(doneMarkerKey(run, unit), Readable.from([JSON.stringify(stats)]));
  }

  it("converts the run's date of the published units' tables, after the manifest", async () => {
    const s = await store();
    await staged(s, unitA);
    const calls: { date: string; tables: string[]; manifest: boolean }[] = [];
    let manifest = false;
    const round = await seedRunState(s, run, [
      { unit: unitA, status: 'published', stats },
      { unit: unitG, status: 'failed', error: { name: 'AuthenticationError', message: '401' } },
    ]);
    const out = await finalizeRun(round, {
      store: s,
      state: s,
      moduleFor,
      writeManifest: async () => {
        manifest = true;
        return 'mem://m';
      },
      convertToParquet: async (date, tables) => void calls.push({ date, tables: tables.map((t) => t.name), manifest }),
    });
    expect(out.published).toBe(1);
    expect(calls).toEqual([{ date: '2026-11-28', tables: moduleFor('jira').tables.map((t) => t.name), manifest: true }]);
  });

  it('converts nothing when no unit was published', async () => {
    const s = await store();
    let called = false;
    await finalizeRun(await seedRunState(s, run, [{ unit: unitA, status: 'failed', error: { name: 'E', message: 'x' } }]), {
      store: s,
      state: s,
      moduleFor,
      writeManifest: async () => 'mem://m',
      convertToParquet: async () => void (called = true),
    });
    expect(called).toBe(false);
  });

  it('the handler (S3 in moto, Athena mocked) converts every Jira table of the date, and fails naming a table Athena failed', async () => {
    const s3 = motoS3();
    const bucket = await freshBucket(s3, 'parquet');
    const put = (key: string, body: string | Buffer) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    // Published by the unit's child before finalize runs.
    await put(`data/${publishedPartKey(run, unitA, 'jira_users', 'part-00000-000.json.gz')}`, gzipSync('{"account_id":"a"}\n'));
    await put('data/parquet/jira_users/dt=2026-11-28/org=acme/20261127_old', 'old parquet');
    athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString?: string }) => ({ QueryExecutionId: /FROM "atlassian_access"\."(\w+)"/.exec(input.QueryString ?? '')?.[1] }));
    athena.on(GetQueryExecutionCommand).callsFake(async (input: { QueryExecutionId?: string }) => ({
      QueryExecution: { Status: input.QueryExecutionId === 'jira_permission_grants' ? { State: 'FAILED', StateChangeReason: 'Access denied when writing output' } : { State: 'SUCCEEDED' } },
    }));
    const saved = { ...process.env };
    Object.assign(process.env, { DATA_BUCKET: bucket, DATA_PREFIX: 'data', ATHENA_WORKGROUP: 'atlassian-access', GLUE_DATABASE: 'atlassian_access' });
    try {
      const handler = createFinalizeHandler({ s3: () => s3, athena: () => new AthenaClient({ region: 'eu-central-1' }), sleep: noSleep });
      const round = await seedRunState(new S3Store(s3, bucket), run, [{ unit: unitA, status: 'published', stats }]);
      const err = await handler({ action: 'finalize', ...round }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParquetConversionError);
      expect((err as Error).message).toBe('converting jira_permission_grants to Parquet failed: Athena query jira_permission_grants FAILED in workgroup atlassian-access: Access denied when writing output');
    } finally {
      process.env = saved;
    }
    const started = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(started.map((i) => /FROM "atlassian_access"\."(\w+)"/.exec(i.QueryString ?? '')?.[1]).sort()).toEqual(moduleFor('jira').tables.map((t) => t.name).sort());
    expect(new Set(started.map((i) => i.WorkGroup))).toEqual(new Set(['atlassian-access']));
    expect(started.find((i) => i.QueryString?.includes('"jira_users"'))?.QueryString).toContain(`TO 's3://${bucket}/data/parquet/jira_users/dt=2026-11-28/'`);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'data/' }))).Contents?.map((o) => o.Key) ?? [];
    expect(keys.filter((k) => k?.startsWith('data/parquet/'))).toEqual([]);
    expect(keys.filter((k) => k?.startsWith('data/jira_users/dt=2026-11-28/org=acme/'))).toHaveLength(1);
    const manifest = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'manifests/dt=2026-11-28/run-1.json' }));
    expect(JSON.parse((await manifest.Body?.transformToString('utf8')) ?? '{}')).toMatchObject({ status: 'succeeded', totals: { published: 1 } });
  });

  it('the handler converts nothing and needs no Athena without ATHENA_WORKGROUP, and refuses half the configuration', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { DATA_BUCKET: 'b', DATA_PREFIX: 'data', ATHENA_WORKGROUP: 'atlassian-access' });
      delete process.env.GLUE_DATABASE;
      const handler = createFinalizeHandler({ athena: () => new AthenaClient({}) });
      await expect(handler({ action: 'finalize', run })).rejects.toThrow('finalize Lambda misconfigured: ATHENA_WORKGROUP and GLUE_DATABASE go together');
    } finally {
      process.env = saved;
    }
  });
});
