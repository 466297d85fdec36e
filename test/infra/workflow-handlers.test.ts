import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleFor, PRODUCTS } from '../../functions/index.ts';
import type { Unit } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { doneMarkerKey } from '../../shared/engine/collect.ts';
import { stagedPartKey } from '../../shared/sink/layout.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { describeError, finalizeRun } from '../../shared/workflow/finalize.ts';
import { groupBySite, planRun, runIdFromExecutionName } from '../../shared/workflow/plan.ts';
import { ManifestSchema } from '../../shared/workflow/schemas.ts';
import { siteFailed, sitePublish } from '../../shared/workflow/site.ts';
import { readUnitState } from '../../shared/workflow/state-store.ts';
import { seedRunState } from '../support/run-state.ts';

const unitA: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic', secretName: 's/a' } };
const unitB: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme-b.atlassian.net', auth: { kind: 'basic', secretName: 's/b' } };
const unitC: Unit = { org: 'acme', product: 'confluence', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic', secretName: 's/a' } };
const unitG: Unit = { org: 'globex', product: 'jira', siteUrl: 'https://globex.atlassian.net', auth: { kind: 'bearer', secretName: 's/g' } };
const execution = { name: 'daily 2026/11/28 #1', startTime: '2026-11-28T03:00:00.123Z' };

describe('plan', () => {
  it('all units, the run id from the execution name, the date from its start (UTC)', () => {
    expect(planRun({ units: [unitA, unitG], execution, request: {} })).toEqual({
      run: { id: 'daily-2026-11-28-1', date: '2026-11-28' },
      force: false,
      units: [unitA, unitG],
      // The run lock of the date: stale at the latest after the execution timeout (23 h by default).
      lock: { v: 1, date: '2026-11-28', runId: 'daily-2026-11-28-1', executionArn: '', startTime: execution.startTime, expiresAt: '2026-11-29T02:00:00.123Z' },
    });
  });
  it('narrowed by org, product and date; unknown keys (the console default input) are ignored', () => {
    const out = planRun({ units: [unitA, unitB, unitG], execution, request: { orgs: ['acme'], products: ['jira'], date: '2026-11-01', Comment: 'Insert your JSON here' } });
    expect(out).toMatchObject({ run: { id: 'daily-2026-11-28-1', date: '2026-11-01' }, force: false, units: [unitA, unitB], lock: { date: '2026-11-01' } });
  });
  it('narrowed to named units (sync --unit), forced', () => {
    const out = planRun({ units: [unitA, unitB, unitG], execution, request: { units: ['acme/jira/acme-b.atlassian.net'], force: true } });
    expect(out).toMatchObject({ force: true, units: [unitB] });
    expect(() => planRun({ units: [unitA], execution, request: { units: ['acme/jira/nope.atlassian.net'] } })).toThrow(
      "execution input 'units': no configured unit 'acme/jira/nope.atlassian.net'; units are named org/product/host, e.g. acme/jira/acme.atlassian.net.",
    );
  });
  it('groups units by site: one site\u2019s products share one rate budget; shared API hosts are grouped per org', () => {
    const admin = (org: string): Unit => ({ org, product: 'admin', siteUrl: 'https://api.atlassian.com', auth: { kind: 'bearer', secretName: `s/${org}` } });
    const sites = groupBySite([unitA, unitC, unitB, admin('acme'), admin('globex')]);
    expect(sites.map((s) => [s.host, s.units.map((u) => u.product)])).toEqual([
      ['acme.atlassian.net', ['jira', 'confluence']],
      ['acme-b.atlassian.net', ['jira']],
      ['acme@api.atlassian.com', ['admin']],
      ['globex@api.atlassian.com', ['admin']],
    ]);
  });
  it('rejects an unknown org or product, naming the field and the configured values', () => {
    expect(() => planRun({ units: [unitA, unitG], execution, request: { orgs: ['initech'] } })).toThrow("execution input 'orgs': unknown organization 'initech'; configured: acme, globex.");
    expect(() => planRun({ units: [unitA], execution, request: { products: ['nope'] } })).toThrow("execution input 'products': no unit collects 'nope'; configured: jira.");
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

describe('publish unit and finalize', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  async function store(): Promise<LocalStore> {
    const d = await mkdtemp(join(tmpdir(), 'finalize-'));
    dirs.push(d);
    return new LocalStore(d);
  }
  const run = { id: 'run-1', date: '2026-11-28' };
  const stats = { ...emptyStats(), rows: { jira_users: 1 }, requests: 3, invocations: 2 };
  const step = { next: 'publish', waitSeconds: 0, count: 4, unit: 0, published: 0, failed: 0, skipped: 0 } as const;

  it('publishes a collected unit as soon as its child reports it, and a retried publish finds it already published', async () => {
    const s = await store();
    await s.write(stagedPartKey(run, unitA, 'jira_users', 0, 0), Readable.from([gzipSync('{"account_id":"a"}\n')]));
    await s.write(doneMarkerKey(run, unitA), Readable.from([JSON.stringify(stats)]));
    await seedRunState(s, run, [{ unit: unitA, status: 'collected', stats }]);
    const input = { run, force: false, site: { host: 'acme.atlassian.net', units: [unitA] }, step };
    const out = await sitePublish(input, { state: s, store: s, moduleFor });
    expect(out).toMatchObject({ next: 'collect', count: 5 });
    const published = await s.list('jira_users/dt=2026-11-28/org=acme/');
    expect(published).toHaveLength(1);
    expect(await readUnitState(s, run.date, unitA)).toMatchObject({ status: 'published', files: 1, lastRun: 'run-1', checkpoint: null });
    await sitePublish(input, { state: s, store: s, moduleFor });
    expect(await s.list('jira_users/dt=2026-11-28/org=acme/')).toEqual(published);
  });

  it('refuses to publish a unit that did not complete: its previous snapshot stays', async () => {
    const s = await store();
    await seedRunState(s, run, [{ unit: unitB, status: 'collecting', stats }]);
    await expect(sitePublish({ run, force: false, site: { host: 'acme-b.atlassian.net', units: [unitB] }, step }, { state: s, store: s, moduleFor })).rejects.toThrow(
      /unit acme\/jira\/acme-b.atlassian.net is not collected \(its record says collecting\)/,
    );
  });

  it('a caught error becomes a bounded error on the unit record, and the child goes on without the Cause', async () => {
    const s = await store();
    await seedRunState(s, run, [{ unit: unitA }, { unit: unitB }]);
    const cause = JSON.stringify({ errorType: 'AuthenticationError', errorMessage: `401: ${'x'.repeat(10_000)}`, trace: ['at a', 'at b'] });
    const out = await siteFailed(
      { run, force: false, site: { host: 'h', units: [unitA, unitB] }, step: { ...step, next: 'collect', unit: 0 }, error: { Error: 'AuthenticationError', Cause: cause } },
      { state: s },
    );
    expect(out).toEqual({ run, force: false, site: { host: 'h', units: [unitA, unitB] }, step: { next: 'collect', waitSeconds: 0, count: 5, unit: -1, published: 0, failed: 0, skipped: 0 } });
    const record = await readUnitState(s, run.date, unitA);
    expect(record?.status).toBe('failed');
    expect(record?.error?.name).toBe('AuthenticationError');
    expect(record?.error?.message.length).toBeLessThanOrEqual(2001);
    expect(record?.error?.message).not.toContain('at a');
    expect(await readUnitState(s, run.date, unitB)).toBeUndefined();
  });

  it('finalize writes the manifest from the unit records: published, failed, already published, not completed', async () => {
    const s = await store();
    const round = await seedRunState(s, run, [
      { unit: unitA, status: 'published', stats, files: 3 },
      { unit: unitB, status: 'published', stats, lastRun: 'run-0' },
      { unit: unitG, status: 'failed', error: { name: 'AuthenticationError', message: '401' } },
      { unit: unitC },
    ]);
    const manifests = new Map<string, string>();
    const out = await finalizeRun(round, {
      store: s,
      state: s,
      moduleFor,
      now: () => new Date('2026-11-28T03:10:00Z'),
      writeManifest: async (key: string, json: string) => {
        manifests.set(key, json);
        return `mem://${key}`;
      },
    });
    expect(out).toMatchObject({ status: 'failed', published: 1, failed: 2, skipped: 1, manifestKey: 'manifests/dt=2026-11-28/run-1.json' });
    expect(out.units.map((u) => [u.unit, u.error])).toEqual([
      ['acme/confluence/acme.atlassian.net', 'NotCompleted'],
      ['globex/jira/globex.atlassian.net', 'AuthenticationError'],
    ]);
    expect(out.message).toMatch(/^2 of 4 units failed: acme\/confluence\/acme.atlassian.net \(NotCompleted: .*\); globex\/jira\/globex.atlassian.net \(AuthenticationError: 401\)\..*1 already published this date/);
    const manifest = ManifestSchema.parse(JSON.parse(manifests.get('manifests/dt=2026-11-28/run-1.json') ?? '{}'));
    expect(manifest.totals).toEqual({ units: 4, published: 1, failed: 2, skipped: 1, rows: 1, requests: 3, invocations: 2 });
    expect(manifest.units.map((u) => u.status)).toEqual(['published', 'failed', 'skipped', 'failed']);
  });

  it('rejects an event that does not match the workflow, naming the field', async () => {
    const s = await store();
    await expect(finalizeRun({ run, results: [] }, { store: s, state: s, moduleFor, writeManifest: async () => '' })).rejects.toThrow("finalize: invalid event at 'force'");
  });
});
