import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trello } from '../../functions/trello.ts';
import { trelloTables } from '../../functions/trello.tables.ts';
import { runCollect } from '../../cli/collect.ts';
import type { Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { credentialsFromJson, credentialsFromSecret, inferKind } from '../../shared/secrets.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, startSimulator, trelloTenant, type Simulator, type TrelloSim } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { allText, captureStderr, tempDirs } from '../support/tmp.ts';

const KEY = DEFAULT_CREDENTIALS.trelloKey ?? '';
const TOKEN = DEFAULT_CREDENTIALS.trelloToken ?? '';
const creds: Credentials = { kind: 'trello', apiKey: KEY, token: TOKEN, source: 'the test' };
const date = '2026-11-28';

const tmp = tempDirs('trello-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>) {
  await expectTablesEqualTruth(store, trelloTables, truth, { date, org: 'acme' });
}

function unitFor(sim: Simulator, extra: Partial<Unit> = {}): Unit {
  return { org: 'acme', product: 'trello', siteUrl: sim.url, auth: { kind: 'trello' }, ...extra };
}

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests and asks for every membership and board', async () => {
    const tenant = trelloTenant({ seed: 4, members: 150, workspaces: 4, boards: 9, vanishingBoards: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 4 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'min', date }, unitFor(sim), () => ({ module: trello, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth());
      const truth = tenant.groundTruth();
      expect(truth.trello_workspace_members?.some((m) => m.deactivated === true)).toBe(true);
      expect(truth.trello_boards?.some((b) => b.closed === true)).toBe(true);
      expect(truth.trello_enterprise_admins?.length).toBeGreaterThan(0);
      for (const u of sim.requests().map((r) => new URL(r.url, sim.url)).filter((x) => x.pathname.endsWith('/memberships') || x.pathname.endsWith('/boards'))) {
        expect({ path: u.pathname, filter: u.searchParams.get('filter') }).toEqual({ path: u.pathname, filter: 'all' });
      }
    } finally {
      await sim.close();
    }
  });

  it("a token whose member administers no enterprise makes no enterprise request and writes no admin row", async () => {
    const tenant = trelloTenant({ seed: 5, members: 30, workspaces: 2, boards: 2, enterpriseAdmin: false });
    const sim = await startSimulator({ products: [tenant], seed: 5 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'noent', date }, unitFor(sim), () => ({ module: trello, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      expect(sim.requests().some((r) => r.url.startsWith('/1/enterprises/'))).toBe(false);
      await expectEqualsTruth(store, tenant.groundTruth());
    } finally {
      await sim.close();
    }
  });
});

describe('auth and permissions', () => {
  let tenant: TrelloSim;
  let sim: Simulator;
  beforeAll(async () => {
    tenant = trelloTenant({ seed: 9, members: 40, workspaces: 2, boards: 3 });
    sim = await startSimulator({ products: [tenant], seed: 9 });
  });
  afterAll(async () => sim.close());

  it("a workspace member's token that may not read a board fails with Trello's 401 and a hint about board access, nothing published", async () => {
    const store = new LocalStore(await tmp());
    const limited: Credentials = { kind: 'trello', apiKey: KEY, token: DEFAULT_LIMITED_CREDENTIALS.trelloToken ?? '', source: 'the test' };
    const out = await runUnit({ id: 'viewer', date }, unitFor(sim), () => ({ module: trello, store, credentials: limited, http: { concurrency: 1 } }));
    expect(out.error?.name).toBe('AuthenticationError');
    expect(out.error?.message).toMatch(/endpoint GET \/1\/boards\/[0-9a-f]{24}\/memberships, HTTP 401\]/);
    expect(out.error?.message).toMatch(/unauthorized permission requested/);
    expect(out.error?.message).toMatch(/may not see a workspace, board or enterprise/);
    expect(out.error?.message).not.toContain(DEFAULT_LIMITED_CREDENTIALS.trelloToken ?? '-');
    expect(await store.list('trello_')).toEqual([]);
  });

  it('a wrong token ends with a 401 through the local command (TRELLO_API_KEY + TRELLO_TOKEN); no key or token in any log line or file', async () => {
    const out = await tmp();
    const argv = ['--product', 'trello', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', date, '--run-id', 'bad', '--verbose'];
    const wrong = 'wrong-trello-token-value-987654';
    const { result: [bad, good], stderr: logs } = await captureStderr(async () => [
      await runCollect(argv, { quiet: true, env: { TRELLO_API_KEY: KEY, TRELLO_TOKEN: wrong } }),
      await runCollect([...argv.slice(0, -2), 'good', '--verbose'], { quiet: true, env: { TRELLO_API_KEY: KEY, TRELLO_TOKEN: TOKEN } }),
    ]);
    expect(bad.exitCode).toBe(1);
    const err = bad.outcomes[0]?.error;
    expect(err?.name).toBe('AuthenticationError');
    expect(err?.message).toContain('endpoint GET /1/members/me/organizations, HTTP 401]');
    expect(err?.message).toContain('invalid token');
    expect(err?.message).toMatch(/Check the Trello API key and token from the environment variables TRELLO_API_KEY and TRELLO_TOKEN/);
    expect(err?.message).not.toContain(wrong);
    expect(good.exitCode).toBe(0);
    await expectEqualsTruth(new LocalStore(out), tenant.groundTruth());
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [wrong, TOKEN, KEY]) expect(logs).not.toContain(secret);
    const files = await allText(out);
    for (const secret of [wrong, TOKEN, KEY]) expect(files).not.toContain(secret);
  });

  it('reads key and token from a secret file and from a Secrets Manager secret ({"apiKey", "token"})', async () => {
    const dir = await tmp();
    const file = join(dir, 'trello-secret.json');
    await writeFile(file, JSON.stringify({ apiKey: KEY, token: TOKEN }));
    expect(inferKind({ apiKey: KEY, token: TOKEN })).toBe('trello');
    expect(inferKind({ token: TOKEN })).toBe('bearer');
    expect(inferKind({ apiKey: KEY })).toBe('genie-key');
    const out = join(dir, 'out');
    const r = await runCollect(['--product', 'trello', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', date, '--run-id', 'file'], { quiet: true, env: { ATLASSIAN_SECRET_FILE: file } });
    expect(r.exitCode).toBe(0);
    await expectEqualsTruth(new LocalStore(out), tenant.groundTruth());

    const fake = { send: async () => ({ SecretString: JSON.stringify({ apiKey: KEY, token: TOKEN }) }) } as unknown as SecretsManagerClient;
    const fromSm = await credentialsFromSecret(fake, { kind: 'trello', secretName: 'acme/trello' });
    expect(fromSm).toEqual({ kind: 'trello', apiKey: KEY, token: TOKEN, source: "the secret 'acme/trello'" });
    const run = await runUnit({ id: 'sm', date }, unitFor(sim, { auth: { kind: 'trello', secretName: 'acme/trello' } }), () => ({ module: trello, store: new LocalStore(join(dir, 'sm')), credentials: fromSm }));
    expect(run.error).toBeUndefined();
    let message = '';
    try {
      credentialsFromJson({ apiKey: KEY }, { kind: 'trello' }, 'the secret x', async () => {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/must be \{"apiKey": "...", "token": "..."\} \(field 'token' is missing or invalid\)/);
    expect(message).not.toContain(KEY);
  });
});
