import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opsgenie, OPSGENIE_PAGE_SIZE } from '../../functions/opsgenie.ts';
import { opsgenieTables } from '../../functions/opsgenie.tables.ts';
import { runCollect } from '../../cli/collect.ts';
import type { Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { credentialsFromJson, credentialsFromSecret } from '../../shared/secrets.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, opsgenieTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { allText, captureStderr, tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const KEY = DEFAULT_CREDENTIALS.genieKey ?? '';
const creds: Credentials = { kind: 'genie-key', apiKey: KEY, source: 'the test' };
const date = '2026-11-28';

const tmp = tempDirs('opsgenie-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>) {
  await expectTablesEqualTruth(store, opsgenieTables, truth, { date, org: 'acme' });
}

function unitFor(sim: Simulator, extra: Partial<Unit> = {}): Unit {
  return { org: 'acme', product: 'opsgenie', siteUrl: sim.url, auth: { kind: 'genie-key' }, ...extra };
}

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests, at limit=100 with a stable sort', async () => {
    const tenant = opsgenieTenant({ seed: 5, users: 301, teams: 9, schedules: 6, escalations: 5, customRoles: 4, vanishingTeams: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 5 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'min', date }, unitFor(sim), () => ({ module: opsgenie, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      expect(tenant.minimumRequests()).toBe(4 + 1 + 9 + 3);
      await expectEqualsTruth(store, tenant.groundTruth());
      const urls = sim.requests().map((r) => new URL(r.url, sim.url));
      for (const u of urls.filter((x) => x.pathname === '/v2/users')) {
        expect({ limit: u.searchParams.get('limit'), sort: u.searchParams.get('sort'), order: u.searchParams.get('order') }).toEqual({ limit: String(OPSGENIE_PAGE_SIZE), sort: 'username', order: 'asc' });
      }
      expect(urls.find((u) => u.pathname === '/v2/schedules')?.searchParams.get('expand')).toBe('rotation');
    } finally {
      await sim.close();
    }
  });
});

describe('auth and permissions', () => {
  const tenant = opsgenieTenant({ seed: 8, users: 40, teams: 3 });
  const sim = simulatorForBlock({ products: [tenant], seed: 8 });

  it('a wrong key ends with a 401 through the local command (OPSGENIE_API_KEY), exit 1, nothing published, key in no log line or file', async () => {
    const out = await tmp();
    const argv = ['--product', 'opsgenie', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', date, '--run-id', 'bad', '--verbose'];
    const wrong = 'wrong-genie-key-value-123456';
    const { result: [bad, good], stderr: logs } = await captureStderr(async () => [
      await runCollect(argv, { quiet: true, env: { OPSGENIE_API_KEY: wrong } }),
      await runCollect([...argv.slice(0, -2), 'good', '--verbose'], { quiet: true, env: { OPSGENIE_API_KEY: KEY } }),
    ]);
    expect(bad.exitCode).toBe(1);
    const err = bad.outcomes[0]?.error;
    expect(err?.name).toBe('AuthenticationError');
    expect(err?.message).toContain('endpoint GET /v2/users, HTTP 401]');
    expect(err?.message).toMatch(/Check the Opsgenie API key from the environment variable OPSGENIE_API_KEY/);
    expect(err?.message).not.toContain(wrong);
    expect(good.exitCode).toBe(0);
    await expectEqualsTruth(new LocalStore(out), tenant.groundTruth());
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(wrong);
    expect(logs).not.toContain(KEY);
    const files = await allText(out);
    expect(files).not.toContain(KEY);
    expect(files).not.toContain(wrong);
  });

  it('reads the key from a secret file and from a Secrets Manager secret ({"apiKey": "..."})', async () => {
    const dir = await tmp();
    const file = join(dir, 'opsgenie-secret.json');
    await writeFile(file, JSON.stringify({ apiKey: KEY }));
    const out = join(dir, 'out');
    const r = await runCollect(['--product', 'opsgenie', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', date, '--run-id', 'file'], {
      quiet: true,
      env: { ATLASSIAN_SECRET_FILE: file },
    });
    expect(r.exitCode).toBe(0);
    await expectEqualsTruth(new LocalStore(out), tenant.groundTruth());

    // Secrets Manager's SecretString, through the one secret parser the Lambda uses.
    const fake = { send: async () => ({ SecretString: JSON.stringify({ apiKey: KEY }) }) } as unknown as SecretsManagerClient;
    const fromSm = await credentialsFromSecret(fake, { kind: 'genie-key', secretName: 'acme/opsgenie' });
    expect(fromSm).toEqual({ kind: 'genie-key', apiKey: KEY, source: "the secret 'acme/opsgenie'" });
    const store = new LocalStore(join(dir, 'sm'));
    const run = await runUnit({ id: 'sm', date }, unitFor(sim, { auth: { kind: 'genie-key', secretName: 'acme/opsgenie' } }), () => ({ module: opsgenie, store, credentials: fromSm }));
    expect(run.error).toBeUndefined();
    // A wrong shape names the expected one and never echoes a value.
    expect(() => credentialsFromJson({ key: KEY }, { kind: 'genie-key' }, 'the secret x', async () => {})).toThrow(/must be \{"apiKey": "..."\}/);
    try {
      credentialsFromJson({ key: KEY }, { kind: 'genie-key' }, 'the secret x', async () => {});
    } catch (e) {
      expect((e as Error).message).not.toContain(KEY);
    }
  });
});
