/**
 * Generic simulator behaviour over real HTTP: auth, gateway base, 401/403/404 bodies, rate limits,
 * faults (each kind observable, bounded by maxPerRequest, deterministic), keep-alive, close().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { jiraTenant, startSimulator, type FaultKind, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('viewer@example.com:sim-viewer-token').toString('base64')}`;
const BEARER = 'Bearer sim-bearer-token';
const UNAUTHENTICATED = { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} };

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ products: [jiraTenant({ seed: 7, users: 120, groups: 12, memberships: 300, projects: 6 })], seed: 7, ...opts });
  open.push(sim);
  return sim;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function get(sim: Simulator, path: string, auth: string | null = ADMIN, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}${path}`, { ...init, headers: auth ? { authorization: auth } : {} });
}

describe('auth and bases', () => {
  it('serves the cloud id without auth, derived from the seed', async () => {
    const a = await start({ seed: 3 });
    const b = await start({ seed: 3 });
    const c = await start({ seed: 4 });
    const body = (await (await get(a, '/_edge/tenant_info', null)).json()) as { cloudId: string };
    expect(body.cloudId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body.cloudId).toBe(a.cloudId);
    expect(b.cloudId).toBe(a.cloudId);
    expect(c.cloudId).not.toBe(a.cloudId);
  });

  it('answers 401 with Jira error body for missing or wrong credentials', async () => {
    const sim = await start();
    for (const auth of [null, `Basic ${Buffer.from('collector@example.com:nope').toString('base64')}`, 'Bearer nope', 'Token x']) {
      const res = await get(sim, '/rest/api/3/myself', auth);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(UNAUTHENTICATED);
    }
  });

  it('serverInfo is anonymous but still rejects wrong credentials', async () => {
    const sim = await start();
    const res = await get(sim, '/rest/api/3/serverInfo', null);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { deploymentType: string }).deploymentType).toBe('Cloud');
    expect((await get(sim, '/rest/api/3/serverInfo', 'Bearer wrong')).status).toBe(401);
  });

  it('accepts Bearer only on /ex/jira/{cloudId} and Basic only on the site URL', async () => {
    const sim = await start();
    const gw = `/ex/jira/${sim.cloudId}`;
    expect((await get(sim, '/rest/api/3/myself', BEARER)).status).toBe(401);
    expect((await get(sim, `${gw}/rest/api/3/myself`, ADMIN)).status).toBe(401);
    const res = await get(sim, `${gw}/rest/api/3/users/search?maxResults=2`, BEARER);
    expect(res.status).toBe(200);
    const users = (await res.json()) as { self: string }[];
    expect(users[0]?.self.startsWith(`${sim.url}${gw}/rest/api/3/user?accountId=`)).toBe(true);
    expect((await get(sim, `/ex/jira/00000000-0000-4000-8000-000000000000/rest/api/3/myself`, BEARER)).status).toBe(404);
    expect(res.headers.get('x-aaccountid')).toBeTruthy();
  });

  it('limited credentials authenticate but admin-only endpoints deny them as the spec documents', async () => {
    const sim = await start();
    const me = (await (await get(sim, '/rest/api/3/myself', VIEWER)).json()) as { displayName: string };
    expect(me.displayName).toBe('Vera Viewer');
    expect((await get(sim, '/rest/api/3/users/search', VIEWER)).status).toBe(200);
    const groups = (await (await get(sim, '/rest/api/3/group/bulk', VIEWER)).json()) as { values: { groupId: string }[] };
    const gid = groups.values[0]?.groupId ?? '';
    for (const path of [`/rest/api/3/group/member?groupId=${gid}`, '/rest/api/3/applicationrole', '/rest/api/3/role', '/rest/api/3/project/10000/permissionscheme']) {
      const res = await get(sim, path, VIEWER);
      expect(res.status, path).toBe(403);
      const body = (await res.json()) as { errorMessages: string[]; errors: object };
      expect(body.errors).toEqual({});
      expect(body.errorMessages[0]).toMatch(/^You do not have permission to /);
    }
    // Spec documents 404 (not 403) for these when the caller lacks permission.
    for (const path of ['/rest/api/3/application-properties', '/rest/api/3/project/10000/role', '/rest/api/3/project/10000/role/10002']) {
      expect((await get(sim, path, VIEWER)).status, path).toBe(404);
    }
  });

  it('unknown paths are 404 with a Jira error body; the log never holds header values', async () => {
    const sim = await start();
    const res = await get(sim, '/rest/api/3/nope');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { errorMessages: string[]; errors: object };
    expect(body.errorMessages.length).toBe(1);
    expect(body.errors).toEqual({});
    await get(sim, '/rest/api/3/myself', null);
    const log = sim.requests();
    expect(log).toEqual([
      { method: 'GET', url: '/rest/api/3/nope', status: 404, authorization: 'basic' },
      { method: 'GET', url: '/rest/api/3/myself', status: 401, authorization: 'none' },
    ]);
    expect(JSON.stringify(log)).not.toContain('sim-api-token');
    expect(sim.stats().byStatus).toEqual({ '404': 1, '401': 1 });
    sim.resetStats();
    expect(sim.stats().requests).toBe(0);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After and X-RateLimit headers once the bucket is empty', async () => {
    const sim = await start({ rateLimit: { perSecond: 1, burst: 2 } });
    expect((await get(sim, '/rest/api/3/myself')).status).toBe(200);
    expect((await get(sim, '/rest/api/3/myself')).status).toBe(200);
    const res = await get(sim, '/rest/api/3/myself');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(res.headers.get('retry-after')))).toBe(true);
    expect(res.headers.get('x-ratelimit-limit')).toBe('2');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
    expect(Date.parse(res.headers.get('x-ratelimit-reset') ?? '')).toBeGreaterThan(Date.now() - 1000);
    expect(res.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    expect(await res.json()).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });
    // tenant_info is never limited.
    expect((await get(sim, '/_edge/tenant_info', null)).status).toBe(200);
  });

  it('rateLimitStorm: the first N requests get 429 with Retry-After: 1', async () => {
    const sim = await start({ faults: { rate: 0, rateLimitStorm: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await get(sim, '/rest/api/3/myself');
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([429, 429, 429, 200, 200]);
    expect(sim.stats().faults.rateLimitStorm).toBe(3);
  });
});

describe('faults', () => {
  const only = (kind: FaultKind, extra: Partial<SimulatorOptions['faults']> = {}): Partial<SimulatorOptions> => ({ faults: { rate: 1, kinds: [kind], maxPerRequest: 2, ...extra } });

  it('5xx: a JSON error with 500/502/503, at most maxPerRequest times per request', async () => {
    const sim = await start(only('5xx'));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(sim, '/rest/api/3/role');
      statuses.push(res.status);
      const body = (await res.json()) as { errorMessages?: string[] };
      if (res.status >= 500) {
        expect([500, 502, 503]).toContain(res.status);
        expect(body.errorMessages?.length).toBe(1);
        if (res.headers.get('retry-after') !== null) expect(res.status).toBe(503);
      }
    }
    expect(statuses[0]).toBeGreaterThanOrEqual(500);
    expect(statuses[1]).toBeGreaterThanOrEqual(500);
    expect(statuses[2]).toBe(200);
    expect(sim.stats().faults['5xx']).toBe(2);
    // A different URL is a different request key: it gets its own faults.
    expect((await get(sim, '/rest/api/3/role?x=1')).status).toBeGreaterThanOrEqual(500);
  });

  it('reset: headers and part of the body, then the connection dies', async () => {
    const sim = await start(only('reset'));
    for (let i = 0; i < 2; i++) {
      await expect(get(sim, '/rest/api/3/users/search?maxResults=20').then((r) => r.text())).rejects.toThrow();
    }
    const res = await get(sim, '/rest/api/3/users/search?maxResults=20');
    expect(((await res.json()) as unknown[]).length).toBe(20);
    expect(sim.stats().faults.reset).toBe(2);
  });

  it('truncated: a well-framed 200 whose JSON is cut', async () => {
    const sim = await start(only('truncated'));
    const res = await get(sim, '/rest/api/3/permissionscheme?expand=permissions');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(() => JSON.parse(text) as unknown).toThrow();
    await (await get(sim, '/rest/api/3/permissionscheme?expand=permissions')).text();
    const good = await get(sim, '/rest/api/3/permissionscheme?expand=permissions');
    expect(((await good.json()) as { permissionSchemes: unknown[] }).permissionSchemes.length).toBeGreaterThan(0);
  });

  it('slow: stalls before headers so a client timeout fires; close() does not wait for it', async () => {
    const sim = await start(only('slow', { slowMs: 400 }));
    await expect(get(sim, '/rest/api/3/role', ADMIN, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await expect(get(sim, '/rest/api/3/role', ADMIN, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect((await get(sim, '/rest/api/3/role', ADMIN, { signal: AbortSignal.timeout(2000) })).status).toBe(200);
    expect(sim.stats().faults.slow).toBe(2);

    const stuck = await start(only('slow', { slowMs: 60_000 }));
    const pending = get(stuck, '/rest/api/3/role').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await stuck.close();
    expect(Date.now() - t).toBeLessThan(10_000); // the stalled request would hold it 60 s
    expect(await pending).toBeInstanceOf(Error);
  });

  it('freezeAt: from the n-th request on nothing is answered until thaw(); close() still ends held requests', async () => {
    // Prepare
    const sim = await start();
    const frozen = sim.freezeAt(2);
    // Act
    const first = await get(sim, '/rest/api/3/role');
    const held = get(sim, '/rest/api/3/role');
    await frozen;
    const answeredWhileFrozen = await Promise.race([held.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
    sim.thaw();
    // Assess
    expect(first.status).toBe(200);
    expect(answeredWhileFrozen).toBe(false);
    expect((await held).status).toBe(200);

    const stuck = await start();
    const reached = stuck.freezeAt(1);
    const pending = get(stuck, '/rest/api/3/role').catch((e: unknown) => e);
    await reached;
    await stuck.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('shortPage: a non-empty prefix of the real page, paging fields kept consistent', async () => {
    const clean = await start();
    const sim = await start(only('shortPage'));
    const full = (await (await get(clean, '/rest/api/3/users/search?maxResults=100')).json()) as { accountId: string }[];
    const short = (await (await get(sim, '/rest/api/3/users/search?maxResults=100')).json()) as { accountId: string }[];
    expect(full.length).toBe(100);
    expect(short.length).toBeGreaterThan(0);
    expect(short.length).toBeLessThan(100);
    expect(short.map((u) => u.accountId)).toEqual(full.slice(0, short.length).map((u) => u.accountId));

    const page = (await (await get(sim, '/rest/api/3/group/bulk?maxResults=10')).json()) as { isLast: boolean; maxResults: number; startAt: number; total: number; nextPage: string; values: unknown[] };
    expect(page.values.length).toBeGreaterThan(0);
    expect(page.values.length).toBeLessThan(10);
    expect(page.isLast).toBe(false);
    expect(page.maxResults).toBe(10);
    expect(new URL(page.nextPage).searchParams.get('startAt')).toBe(String(page.values.length));
    // Non-paged routes never get shortPage; a one-item page cannot be shortened.
    expect((await get(sim, '/rest/api/3/role')).status).toBe(200);
    expect(((await (await get(sim, '/rest/api/3/users/search?maxResults=1')).json()) as unknown[]).length).toBe(1);
    expect(sim.stats().faults.shortPage).toBe(2);
  });

  it('faults never apply to tenant_info', async () => {
    const sim = await start({ faults: { rate: 1, kinds: ['5xx', 'truncated'], rateLimitStorm: 5 } });
    for (let i = 0; i < 3; i++) expect((await (await get(sim, '/_edge/tenant_info', null)).json()) as unknown).toEqual({ cloudId: sim.cloudId });
  });

  it('same seed gives the same fault sequence; a retrying client always finishes', async () => {
    const paths = ['/rest/api/3/users/search?maxResults=30', '/rest/api/3/group/bulk', '/rest/api/3/role', '/rest/api/3/applicationrole', '/rest/api/3/project/search'];
    const run = async (seed: number): Promise<string[]> => {
      const sim = await start({ seed, faults: { rate: 0.6, kinds: ['5xx', 'truncated', 'shortPage'] } });
      const out: string[] = [];
      for (const p of paths) {
        for (let attempt = 0; attempt < 4; attempt++) {
          const res = await get(sim, p);
          const text = await res.text();
          out.push(`${p} ${res.status} ${text.length}`);
          if (res.status === 200 && parses(text)) break;
        }
      }
      return out;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
  });
});

describe('transport', () => {
  it('keeps connections alive for an undici client', async () => {
    const sim = await start();
    const client = new Client(sim.url, { pipelining: 1 });
    let connects = 0;
    client.on('connect', () => connects++);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await client.request({ path: '/rest/api/3/role', method: 'GET', headers: { authorization: ADMIN } });
        expect(res.statusCode).toBe(200);
        await res.body.json();
      }
    } finally {
      await client.close();
    }
    expect(connects).toBe(1);
  });

  it('adds latency to every response', async () => {
    const sim = await start({ latencyMs: 120 });
    const t = Date.now();
    await (await get(sim, '/_edge/tenant_info', null)).text();
    await (await get(sim, '/rest/api/3/role')).text();
    expect(Date.now() - t).toBeGreaterThanOrEqual(230);
  });
});
