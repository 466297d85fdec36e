import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectHandler } from '../../functions/handlers/collect.ts';
import { jira } from '../../functions/jira.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import { StepSchema, type Step } from '../../shared/workflow/schemas.ts';
import { publish } from '../../shared/engine/collect.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import { credentialsFromFile } from '../../shared/secrets.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { jiraTenant, oauthApp, startSimulator, type Simulator } from '../../simulator/index.ts';
import type { BlobStore } from '../../shared/sink/store.ts';
import { freshBucket, motoS3, motoSecrets } from '../support/moto.ts';

const tenant = jiraTenant({ seed: 31, users: 1500, groups: 12, memberships: 300, projects: 5 });
let sim: Simulator;
let app: ReturnType<typeof oauthApp>;
let dir: string;
beforeAll(async () => {
  // Access tokens stop working after 20 requests, so they expire mid-run at the same request on any machine.
  app = oauthApp({ accessUses: 20 });
  sim = await startSimulator({ products: [tenant, app], seed: 31, latencyMs: 5 });
  dir = await mkdtemp(join(tmpdir(), 'auth-'));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

// Through the api.atlassian.com gateway the collector skips installed apps (UPM answers on the site only).
async function expectTruth(store: BlobStore, date: string) {
  const truth: Record<string, Record<string, unknown>[]> = { ...tenant.groundTruth(), jira_installed_apps: [] };
  for (const t of jiraTables) {
    const d = diffRows(truth[t.name] ?? [], await readPublished(store, t.name, { date }, 'acme'));
    expect({ t: t.name, equal: d.equal }).toEqual({ t: t.name, equal: true });
  }
}

describe('auth variants against the simulator', () => {
  it('a scoped/OAuth bearer token goes through /ex/jira/{cloudId}, found from /_edge/tenant_info', async () => {
    const store = new LocalStore(join(dir, 'gateway'));
    const run: Run = { id: 'gw', date: '2026-11-28' };
    const unit: Unit = { org: 'acme', product: 'jira', siteUrl: sim.url, apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, auth: { kind: 'bearer' } };
    sim.resetStats();
    const out = await runUnit(run, unit, () => ({ module: jira, store, credentials: { kind: 'bearer', token: 'sim-bearer-token', source: 'the test' }, maxRequests: 40 }));
    expect(out.error).toBeUndefined();
    const api = sim.requests().filter((r) => r.url.includes('/rest/api/3/'));
    expect(api.every((r) => r.url.startsWith(`/ex/jira/${sim.cloudId}/rest/api/3/`))).toBe(true);
    expect(sim.requests().filter((r) => r.url === '/_edge/tenant_info')).toHaveLength(1);
    await expectTruth(store, run.date);
  });

  it('the same bearer token on the site URL fails with a message that points at the gateway', async () => {
    const store = new LocalStore(join(dir, 'site-bearer'));
    const unit: Unit = { org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'bearer' } };
    const out = await runUnit({ id: 'sb', date: '2026-11-28' }, unit, () => ({ module: jira, store, credentials: { kind: 'bearer', token: 'sim-bearer-token', source: 'the test' } }));
    expect(out.error?.name).toBe('AuthenticationError');
    expect(out.error?.message).toContain('HTTP 401');
  });

  it('OAuth 2.0 (3LO): expired access tokens are refreshed and each rotated refresh token is stored before use', async () => {
    const file = join(dir, 'oauth-secret.json');
    await writeFile(file, JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret, refreshToken: app.currentRefreshToken() }));
    const store = new LocalStore(join(dir, 'oauth'));
    const run: Run = { id: 'oauth', date: '2026-11-28' };
    const unit: Unit = { org: 'acme', product: 'jira', siteUrl: sim.url, apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, auth: { kind: 'oauth2', tokenUrl: `${sim.url}/oauth/token` } };
    const first = app.currentRefreshToken();
    const out = await runUnit(run, unit, async () => ({
      module: jira,
      store,
      credentials: await credentialsFromFile(file, 'oauth2', `${sim.url}/oauth/token`),
      maxRequests: 10,
    }));
    expect(out.error).toBeUndefined();
    expect(out.invocations).toBeGreaterThan(3);
    // The first refresh has no access token yet; later ones happen because tokens expired (401) mid-run.
    expect(app.refreshes()).toBeGreaterThanOrEqual(2);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { refreshToken: string };
    expect(stored.refreshToken).toBe(app.currentRefreshToken());
    expect(stored.refreshToken).not.toBe(first);
    await expectTruth(store, run.date);
  });

  it('in the Lambda, a rotated refresh token is written back to Secrets Manager', async () => {
    const secrets = motoSecrets();
    const s3 = motoS3();
    const bucket = await freshBucket(s3);
    const name = `oauth-${Date.now()}`;
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret, refreshToken: app.currentRefreshToken() }) }));
    process.env.DATA_BUCKET = bucket;
    process.env.MAX_REQUESTS_PER_INVOCATION = '30';
    try {
      const handler = createCollectHandler({ s3: () => s3, secrets: () => secrets });
      const run: Run = { id: 'lambda-oauth', date: '2026-11-28' };
      const unit: Unit = { org: 'acme', product: 'jira', siteUrl: sim.url, apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, auth: { kind: 'oauth2', secretName: name, tokenUrl: `${sim.url}/oauth/token` } };
      let step: Step = { next: 'collect', waitSeconds: 0, count: 0, unit: -1, published: 0, failed: 0, skipped: 0 };
      for (let i = 0; i < 200 && step.next !== 'publish'; i++) {
        step = StepSchema.parse(await handler({ action: 'step', run, force: false, site: { host: new URL(sim.url).host, units: [unit] }, step }, { getRemainingTimeInMillis: () => 600_000 }));
      }
      expect(step.next).toBe('publish');
      const store = new S3Store(s3, bucket);
      await publish(store, run, unit, jira);
      const now = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? '{}') as { refreshToken: string };
      expect(now.refreshToken).toBe(app.currentRefreshToken());
      await expectTruth(store, run.date);
    } finally {
      delete process.env.DATA_BUCKET;
      delete process.env.MAX_REQUESTS_PER_INVOCATION;
    }
  });
});
