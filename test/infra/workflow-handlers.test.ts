import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleFor } from '../../functions/index.ts';
import { PRODUCTS, type Unit } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { doneMarkerKey } from '../../shared/engine/collect.ts';
import { stagedPartKey } from '../../shared/sink/layout.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { describeError, finalizeRun } from '../../shared/workflow/finalize.ts';
import { planRun, runIdFromExecutionName } from '../../shared/workflow/plan.ts';
import { ManifestSchema, type UnitRecord } from '../../shared/workflow/schemas.ts';

const unitA: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic', secretName: 's/a' } };
const unitB: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme-b.atlassian.net', auth: { kind: 'basic', secretName: 's/b' } };
const unitG: Unit = { org: 'globex', product: 'jira', siteUrl: 'https://globex.atlassian.net', auth: { kind: 'bearer', secretName: 's/g' } };
const execution = { name: 'daily 2026/11/28 #1', startTime: '2026-11-28T03:00:00.123Z' };

describe('plan', () => {
  it('all units, the run id from the execution name, the date from its start (UTC)', () => {
    expect(planRun({ units: [unitA, unitG], execution, request: {} })).toEqual({ run: { id: 'daily-2026-11-28-1', date: '2026-11-28' }, units: [unitA, unitG] });
  });
  it('narrowed by org, product and date; unknown keys (the console default input) are ignored', () => {
    const out = planRun({ units: [unitA, unitB, unitG], execution, request: { orgs: ['acme'], products: ['jira'], date: '2026-11-01', Comment: 'Insert your JSON here' } });
    expect(out).toEqual({ run: { id: 'daily-2026-11-28-1', date: '2026-11-01' }, units: [unitA, unitB] });
  });
  it('rejects an unknown org or product, naming the field and the configured values', () => {
    expect(() => planRun({ units: [unitA, unitG], execution, request: { orgs: ['initech'] } })).toThrow("execution input 'orgs': unknown organization 'initech'; configured: acme, globex.");
    expect(() => planRun({ units: [unitA], execution, request: { products: ['nope'] } })).toThrow("execution input 'products.0'");
    const other = PRODUCTS.find((p) => p !== 'jira');
    if (other) expect(() => planRun({ units: [unitA], execution, request: { products: [other] } })).toThrow(`execution input 'products': no unit collects '${other}'; configured: jira.`);
    expect(() => planRun({ units: [unitA], execution, request: { date: '28/11/2026' } })).toThrow("execution input 'date'");
    expect(() => planRun({ units: [], execution, request: {} })).toThrow("plan: invalid event at 'units'");
  });
  it('run ids fit the S3 layout', () => {
    expect(runIdFromExecutionName('a'.repeat(100))).toHaveLength(80);
    expect(runIdFromExecutionName('!!!')).toBe('run');
    expect(runIdFromExecutionName('3f2c1a9e-0b1d-4c4e-9d7e-1e2f3a4b5c6d')).toBe('3f2c1a9e-0b1d-4c4e-9d7e-1e2f3a4b5c6d');
  });
});

describe('describeError', () => {
  it('takes errorMessage from a Lambda cause and drops the trace', () => {
    const cause = JSON.stringify({ errorType: 'AuthenticationError', errorMessage: '[org acme] 401: check the token', trace: ['at x (/var/task/index.js:1:1)'] });
    expect(describeError({ Error: 'AuthenticationError', Cause: cause })).toEqual({ name: 'AuthenticationError', message: '[org acme] 401: check the token' });
  });
  it('keeps a plain-text cause, and has a message when there is no cause', () => {
    expect(describeError({ Error: 'States.Timeout', Cause: 'Task timed out' })).toEqual({ name: 'States.Timeout', message: 'Task timed out' });
    expect(describeError({ Error: 'States.Timeout' })).toEqual({ name: 'States.Timeout', message: 'States.Timeout' });
  });
});

describe('finalize', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  async function store(): Promise<LocalStore> {
    const d = await mkdtemp(join(tmpdir(), 'finalize-'));
    dirs.push(d);
    return new LocalStore(d);
  }
  const run = { id: 'run-1', date: '2026-11-28' };
  const stats = { ...emptyStats(), rows: { jira_users: 1 }, requests: 3, invocations: 2 };

  it('publishes completed units, records failed ones, and is idempotent when retried', async () => {
    const s = await store();
    await s.write(stagedPartKey(run, unitA, 'jira_users', 0, 0), Readable.from([gzipSync('{"account_id":"a"}\n')]));
    await s.write(doneMarkerKey(run, unitA), Readable.from([JSON.stringify(stats)]));
    const results: UnitRecord[] = [
      { status: 'collected', unit: unitA, stats },
      // Reported collected but never completed (no marker): must not be published.
      { status: 'collected', unit: unitB, stats },
      { status: 'failed', unit: unitG, stats: emptyStats(), error: { Error: 'AuthenticationError', Cause: '{"errorType":"AuthenticationError","errorMessage":"401"}' } },
    ];
    const manifests = new Map<string, string>();
    const deps = {
      store: s,
      moduleFor,
      now: () => new Date('2026-11-28T03:10:00Z'),
      writeManifest: async (key: string, json: string) => {
        manifests.set(key, json);
        return `mem://${key}`;
      },
    };
    const first = await finalizeRun({ run, results }, deps);
    expect(first).toMatchObject({ status: 'failed', published: 1, failed: 2, manifestKey: 'manifests/dt=2026-11-28/run-1.json' });
    expect(first.units.map((u) => [u.unit, u.status, u.error])).toEqual([
      ['acme/jira/acme.atlassian.net', 'published', undefined],
      ['acme/jira/acme-b.atlassian.net', 'failed', 'StorageError'],
      ['globex/jira/globex.atlassian.net', 'failed', 'AuthenticationError'],
    ]);
    expect(first.message).toMatch(/^2 of 3 units failed: acme\/jira\/acme-b.atlassian.net \(StorageError: .*has not completed.*globex\/jira\/globex.atlassian.net \(AuthenticationError: 401\)/);
    const published = await s.list('jira_users/dt=2026-11-28/org=acme/');
    expect(published).toHaveLength(1);

    // A retried finalize (e.g. after a timeout) finds A already published by this run.
    const second = await finalizeRun({ run, results }, deps);
    expect(second.units.map((u) => u.status)).toEqual(['published', 'failed', 'failed']);
    expect(await s.list('jira_users/dt=2026-11-28/org=acme/')).toEqual(published);

    const manifest = ManifestSchema.parse(JSON.parse(manifests.get('manifests/dt=2026-11-28/run-1.json') ?? '{}'));
    expect(manifest.totals).toEqual({ units: 3, published: 1, failed: 2, rows: 2, requests: 6, invocations: 4 });
    expect(manifest.units[2]?.error).toEqual({ name: 'AuthenticationError', message: '401' });
  });

  it('rejects an event that does not match the workflow, naming the field', async () => {
    await expect(finalizeRun({ run, results: [{ status: 'done' }] }, { store: await store(), moduleFor, writeManifest: async () => '' })).rejects.toThrow(
      "finalize: invalid event at 'results.0.status'",
    );
  });
});
