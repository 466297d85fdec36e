import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitbucket } from '../../functions/bitbucket.ts';
import { bitbucketTables } from '../../functions/bitbucket.tables.ts';
import { runCollect } from '../../cli/collect.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { RateBudgetRegistry } from '../../shared/http/pacing.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { bitbucketTenant, DEFAULT_BITBUCKET_CONSUMER, DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, startSimulator, type BitbucketSim, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const date = '2026-11-28';

const tmp = tempDirs('bitbucket-it');

/** Every file under `dir`, gunzipped where gzip, as text (with its path first). */
async function readTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const raw = await readFile(path);
    out.push(path, (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8'));
  }
  return out;
}

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>) {
  await expectTablesEqualTruth(store, bitbucketTables, truth, { date, org: 'acme' });
}

function unitFor(sim: Simulator, extra: Partial<Unit> = {}): Unit {
  return { org: 'acme', product: 'bitbucket', siteUrl: sim.url, auth: { kind: 'basic' }, ...extra };
}

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests, asking pagelen=100 and following next links as given', async () => {
    const tenant = bitbucketTenant({ seed: 3, workspaces: 3, users: 260, projects: 5, repositories: 104, vanishingRepositories: 2, vanishingProjects: 2 });
    const sim = await startSimulator({ products: [tenant], seed: 3 });
    try {
      const store = new LocalStore(await tmp());
      // A scaled workspace's budget (the default 1,000 an hour would pace this 1,000-odd-request tenant for an hour).
      const out = await runUnit({ id: 'min', date }, unitFor(sim, { rateLimitBudget: 10_000 }), () => ({ module: bitbucket, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth());
      const urls = sim.requests().map((r) => new URL(r.url, sim.url));
      expect(urls.every((u) => u.pathname === '/2.0/user/workspaces' || u.pathname.startsWith('/2.0/workspaces/') || u.pathname.startsWith('/2.0/repositories/'))).toBe(true);
      const lists = urls.filter((u) => !/^\/2\.0\/workspaces\/[^/]+$/.test(u.pathname));
      for (const u of lists) expect({ path: u.pathname, pagelen: u.searchParams.get('pagelen') }).toEqual({ path: u.pathname, pagelen: '100' });
      // Later pages are the server's own links: page numbers and opaque cursors, never built by the client.
      expect(lists.some((u) => u.searchParams.has('page'))).toBe(true);
      expect(lists.some((u) => u.searchParams.has('cursor'))).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('collects only the workspaces the unit lists, without /user/workspaces', async () => {
    const tenant = bitbucketTenant({ seed: 4, workspaces: 3, users: 60, projects: 2, repositories: 5 });
    const sim = await startSimulator({ products: [tenant], seed: 4 });
    try {
      const store = new LocalStore(await tmp());
      const scope = { workspaces: ['acme-platform', 'acme-sandbox'] };
      const out = await runUnit({ id: 'fixed', date }, unitFor(sim, scope), () => ({ module: bitbucket, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests(scope));
      expect(sim.requests().some((r) => r.url.startsWith('/2.0/user/workspaces'))).toBe(false);
      const truth = tenant.groundTruth(scope);
      expect(truth.bitbucket_workspaces?.map((w) => w.slug)).toEqual(['acme-platform', 'acme-sandbox']);
      await expectEqualsTruth(store, truth);
    } finally {
      await sim.close();
    }
  });

  it('after a 429 without Retry-After, waits the documented minute of the rolling hour (time-scaled) and rides out the budget, each 429 retried once', async () => {
    const tenant = bitbucketTenant({ seed: 6, workspaces: 1, users: 30, projects: 2, repositories: 8, repositoryRateLimit: { limit: 8, windowMs: 400 } });
    const sim = await startSimulator({ products: [tenant], seed: 6 });
    try {
      const store = new LocalStore(await tmp());
      // Minutes 150 times shorter (400 ms): the sim's window has passed when the gate reopens.
      const out = await runUnit({ id: 'budget', date }, unitFor(sim), () => ({ module: bitbucket, store, credentials: creds, http: { concurrency: 1 }, pacing: { timeScale: 150 } }));
      expect(out.error).toBeUndefined();
      const tooMany = sim.stats().byStatus['429'] ?? 0;
      expect(tooMany).toBeGreaterThan(0);
      expect(out.stats?.retries).toBe(tooMany);
      expect(out.stats?.requests).toBe(tenant.minimumRequests() + tooMany);
      await expectEqualsTruth(store, tenant.groundTruth());
    } finally {
      await sim.close();
    }
  });
});

describe('long rate limits', () => {
  it('pauses the unit at its checkpoint when the budget outlasts the retries, then resumes and completes', async () => {
    const tenant = bitbucketTenant({ seed: 7, workspaces: 1, users: 30, projects: 2, repositories: 8, repositoryRateLimit: { limit: 6, windowMs: 60_000 } });
    const sim = await startSimulator({ products: [tenant], seed: 7 });
    try {
      const store = new LocalStore(await tmp());
      const waits: number[] = [];
      const out = await runUnit(
        { id: 'pause', date },
        unitFor(sim),
        // An invocation may sleep 30 s here, less than the documented minute a bare 429 closes the window for.
        // Each invocation starts with a budget of its own: the workflow's wait has let the window pass.
        () => ({ module: bitbucket, store, credentials: creds, http: { concurrency: 1, retry: { maxRetryAfterMs: 30_000 } }, pacing: { registry: new RateBudgetRegistry() } }),
        {
          onWait: (s) => waits.push(s),
          // The window passes while the workflow waits: here the test lifts the budget instead.
          sleep: async () => tenant.resetRateLimit(),
        },
      );
      expect(out.error).toBeUndefined();
      expect(waits.length).toBeGreaterThan(0);
      expect(waits.every((s) => s === 60)).toBe(true);
      await expectEqualsTruth(store, tenant.groundTruth());
    } finally {
      await sim.close();
    }
  });
});

describe('auth and permissions', () => {
  let tenant: BitbucketSim;
  let sim: Simulator;
  beforeAll(async () => {
    tenant = bitbucketTenant({
      seed: 13,
      workspaces: 2,
      users: 40,
      projects: 2,
      repositories: 4,
      accessUses: 12,
      oauthConsumers: [
        DEFAULT_BITBUCKET_CONSUMER,
        { key: 'no-admin-scope', secret: 'narrow-secret', scopes: ['account', 'project', 'project:admin', 'repository'] },
        { key: 'no-hook-scopes', secret: 'hookless-secret', scopes: ['account', 'project', 'project:admin', 'repository', 'repository:admin'] },
      ],
    });
    sim = await startSimulator({ products: [tenant], seed: 13, latencyMs: 3 });
  });
  afterAll(async () => sim.close());

  const consumer = (clientId: string, clientSecret: string): Credentials => ({
    kind: 'client-credentials',
    clientId,
    clientSecret,
    tokenUrl: `${sim.url}${tenant.tokenPath}`,
    source: 'the test',
  });

  it('an OAuth consumer (client credentials) collects everything; expired access tokens are renewed', async () => {
    const store = new LocalStore(await tmp());
    const before = tenant.issuedTokens();
    const out = await runUnit({ id: 'oauth', date }, unitFor(sim, { auth: { kind: 'client-credentials' } }), () => ({
      module: bitbucket,
      store,
      credentials: consumer(DEFAULT_BITBUCKET_CONSUMER.key, DEFAULT_BITBUCKET_CONSUMER.secret),
      http: { concurrency: 1 },
    }));
    expect(out.error).toBeUndefined();
    expect(tenant.issuedTokens() - before).toBeGreaterThan(1);
    expect(sim.requests().filter((r) => r.url.startsWith('/2.0/')).every((r) => r.authorization === 'bearer')).toBe(true);
    await expectEqualsTruth(store, tenant.groundTruth());
  });

  it('webhook secrets, tokens in webhook URLs and pipeline variable values never reach the output', async () => {
    const dir = await tmp();
    const store = new LocalStore(dir);
    const out = await runUnit({ id: 'secrets', date }, unitFor(sim, { auth: { kind: 'client-credentials' } }), () => ({ module: bitbucket, store, credentials: consumer(DEFAULT_BITBUCKET_CONSUMER.key, DEFAULT_BITBUCKET_CONSUMER.secret) }));
    expect(out.error).toBeUndefined();
    const truth = tenant.groundTruth();
    for (const t of ['bitbucket_deploy_keys', 'bitbucket_webhooks', 'bitbucket_pipeline_variables']) expect(truth[t]?.length, t).toBeGreaterThan(0);
    const envVars = (truth.bitbucket_pipeline_variables ?? []).filter((v) => v.level === 'deployment_environment');
    expect(envVars.some((v) => v.secured === false) && envVars.some((v) => v.secured === true)).toBe(true);
    const written = (await readTree(dir)).join('\n');
    expect(written).toContain('bitbucket_webhooks');
    // The simulator sends `secret` on some webhooks, `?token=` and `user:pw@` in some URLs, `value` on unsecured variables.
    for (const leak of ['whsec-', 'token=tok-', 'user:pw', 'value-']) expect(written, leak).not.toContain(leak);
  });

  it('a consumer without the webhook and pipeline scopes collects the rest; those tables stay empty, counted', async () => {
    const store = new LocalStore(await tmp());
    const out = await runUnit({ id: 'hookless', date }, unitFor(sim, { auth: { kind: 'client-credentials' } }), () => ({ module: bitbucket, store, credentials: consumer('no-hook-scopes', 'hookless-secret') }));
    expect(out.error).toBeUndefined();
    // Per workspace: webhooks, variables; per repository: webhooks, variables, deployment environments.
    const refusals = tenant.model.workspaces.reduce((n, w) => n + 2 + 3 * w.repositories.filter((r) => !r.vanishing).length, 0);
    expect(out.stats?.skipped).toBe(refusals);
    await expectEqualsTruth(store, { ...tenant.groundTruth(), bitbucket_webhooks: [], bitbucket_pipeline_variables: [] });
  });

  it('a consumer without repository:admin fails with a 403 naming that scope, and publishes nothing', async () => {
    const store = new LocalStore(await tmp());
    const out = await runUnit({ id: 'narrow', date }, unitFor(sim, { auth: { kind: 'client-credentials' } }), () => ({ module: bitbucket, store, credentials: consumer('no-admin-scope', 'narrow-secret') }));
    expect(out.error?.name).toBe('PermissionError');
    // The repositories of every workspace are read four at a time, so which one is refused first is a race: the
    // message must name the workspace of the request that was refused, whichever it is.
    const message = out.error?.message ?? '';
    const refused = /endpoint GET \/2\.0\/repositories\/([\w-]+)\/%7B[0-9a-f-]+%7D\/permissions-config\/users, HTTP 403\]/.exec(message);
    expect(refused, message).not.toBeNull();
    expect(message).toMatch(/required: repository:admin/);
    expect(message).toContain(`Grant the account admin on repository ${refused?.[1] ?? '?'}/`);
    expect(message).toMatch(/and the OAuth scope 'repository:admin'/);
    expect(await store.list('bitbucket_')).toEqual([]);
  });

  it("a non-admin member's API token fails on the first permission endpoint, naming the admin right", async () => {
    const store = new LocalStore(await tmp());
    const viewer: Credentials = { kind: 'basic', email: DEFAULT_LIMITED_CREDENTIALS.email, apiToken: DEFAULT_LIMITED_CREDENTIALS.apiToken, source: 'the test' };
    const out = await runUnit({ id: 'viewer', date }, unitFor(sim), () => ({ module: bitbucket, store, credentials: viewer, http: { concurrency: 1 } }));
    expect(out.error?.name).toBe('PermissionError');
    expect(out.error?.message).toMatch(/permissions-config\/users, HTTP 403\].*doesn't have admin access to the project/);
    expect(out.error?.message).toMatch(/Grant the account admin on project \w+ of workspace 'acme' \(workspace admins have it\) and the OAuth scope 'project:admin'/);
    expect(await store.list('bitbucket_')).toEqual([]);
  });

  it('a workspace access token fails on permissions with a message saying access tokens never can', async () => {
    const store = new LocalStore(await tmp());
    const token = tenant.workspaceAccessToken(sim.tokens);
    const out = await runUnit({ id: 'wat', date }, unitFor(sim, { auth: { kind: 'bearer' }, workspaces: ['acme'] }), () => ({ module: bitbucket, store, credentials: { kind: 'bearer', token, source: 'the test' } }));
    expect(out.error?.name).toBe('PermissionError');
    expect(out.error?.message).toMatch(/HTTP 403\].*Access tokens cannot be used to read permissions/);
    expect(out.error?.message).toMatch(/access tokens can never read permissions .*use an API token or an OAuth consumer of a workspace admin/);
    expect(out.error?.message).not.toContain(token);
  });

  it('a wrong API token ends with a 401 through the local command, exit code 1, nothing published', async () => {
    const out = await tmp();
    const argv = ['--product', 'bitbucket', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', date, '--run-id', 'bad'];
    const bad = await runCollect(argv, { quiet: true, env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: 'wrong-token-value-123' } });
    expect(bad.exitCode).toBe(1);
    const err = bad.outcomes[0]?.error;
    expect(err?.name).toBe('AuthenticationError');
    expect(err?.message).toContain('endpoint GET /2.0/user/workspaces, HTTP 401]');
    expect(err?.message).not.toContain('wrong-token-value-123');
    expect(await new LocalStore(out).list('bitbucket_')).toEqual([]);
    const good = await runCollect([...argv.slice(0, -1), 'good'], { quiet: true, env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken } });
    expect(good.exitCode).toBe(0);
    await expectEqualsTruth(new LocalStore(out), tenant.groundTruth());
  });
});
