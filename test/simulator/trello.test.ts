/**
 * The Trello product over real HTTP: key + token in the OAuth-style Authorization header, unpaged JSON arrays,
 * membership filters, 401/404 in Trello's words, enterprise admins; determinism; odd cases of the model.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, trelloTenant, type Simulator } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const header = (key: string, token: string) => `OAuth oauth_consumer_key="${key}", oauth_token="${token}"`;
const ADMIN = header(DEFAULT_CREDENTIALS.trelloKey ?? '', DEFAULT_CREDENTIALS.trelloToken ?? '');
const VIEWER = header(DEFAULT_CREDENTIALS.trelloKey ?? '', DEFAULT_LIMITED_CREDENTIALS.trelloToken ?? '');
type Json = Record<string, unknown>;

async function get<T>(sim: Simulator, path: string, authorization: string | null = ADMIN): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${path}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

describe('Trello simulator', () => {
  const tenant = trelloTenant({ seed: 2, members: 80, workspaces: 3, boards: 5, vanishingBoards: 1 });
  const sim = simulatorForBlock({ products: [tenant], seed: 2 });

  it('accepts only the key + token header: none, a wrong token, a wrong key, Basic and Bearer get 401 "invalid token"', async () => {
    for (const auth of [null, header(DEFAULT_CREDENTIALS.trelloKey ?? '', 'nope'), header('otherkey', DEFAULT_CREDENTIALS.trelloToken ?? ''), 'Bearer sim-bearer-token']) {
      const r = await get<unknown>(sim, '/1/members/me/organizations', auth);
      expect(r.status, String(auth)).toBe(401);
      expect(r.body).toBe('invalid token');
    }
  });

  it('lists workspaces as a bare array; membership filters decide who is listed', async () => {
    const ws = (await get<Json[]>(sim, '/1/members/me/organizations')).body;
    expect(ws).toHaveLength(3);
    const id = String(ws[0]?.id);
    const active = (await get<Json[]>(sim, `/1/organizations/${id}/memberships`)).body;
    const everyone = (await get<Json[]>(sim, `/1/organizations/${id}/memberships?filter=all&member=true`)).body;
    expect(everyone.length).toBeGreaterThan(active.length);
    expect(everyone.some((m) => m.deactivated === true)).toBe(true);
    expect(active.every((m) => m.member === undefined)).toBe(true);
    expect(everyone.every((m) => typeof (m.member as Json | undefined)?.username === 'string')).toBe(true);
    const empty = (await get<Json[]>(sim, `/1/organizations/${String(ws[2]?.id)}/boards`)).body;
    expect(empty).toEqual([]);
  });

  it('a vanished board answers 404; the viewer token gets 401 unauthorized permission requested on boards and enterprises', async () => {
    const boards = tenant.model.workspaces[0]?.boards ?? [];
    const gone = boards.find((b) => b.vanishing);
    expect((await get<unknown>(sim, `/1/boards/${gone?.id ?? ''}/memberships`)).status).toBe(404);
    const denied = await get<unknown>(sim, `/1/boards/${boards[0]?.id ?? ''}/memberships`, VIEWER);
    expect(denied).toEqual({ status: 401, body: 'unauthorized permission requested' });
    expect((await get<unknown>(sim, `/1/enterprises/${tenant.model.enterprise.id}/admins`, VIEWER)).status).toBe(401);
    expect((await get<Json>(sim, '/1/members/me', VIEWER)).body.idEnterprisesAdmin).toEqual([]);
    expect((await get<Json>(sim, '/1/members/me')).body.idEnterprisesAdmin).toEqual([tenant.model.enterprise.id]);
  });

  it('has the odd cases and is deterministic', () => {
    const m = tenant.model;
    expect(m.members.some((x) => /[^\x00-\x7f]/.test(x.fullName))).toBe(true);
    expect(m.workspaces.flatMap((w) => w.boards).some((b) => b.closed)).toBe(true);
    expect(m.workspaces.flatMap((w) => w.boards).some((b) => b.memberships.some((x) => x.memberType === 'observer'))).toBe(true);
    expect(m.workspaces.some((w) => w.enterprise === null)).toBe(true);
    expect(JSON.stringify(trelloTenant({ seed: 2, members: 80, workspaces: 3, boards: 5, vanishingBoards: 1 }).groundTruth())).toBe(JSON.stringify(tenant.groundTruth()));
  });
});

describe('Trello simulator budget (with `budgets`)', () => {
  // Windows of ten minutes: the test's few requests all fall into the first one.
  const limits = { tokenMax: 2, keyMax: 3, intervalMs: 600_000 };
  const sim = simulatorForBlock({ products: [trelloTenant({ seed: 2, members: 10, workspaces: 1, boards: 1, rateLimits: limits })], seed: 2, budgets: true });

  it('tells the token and key budgets on every answer, refuses beyond either with Trello\'s 429 (no Retry-After), and counts those as closed-window requests', async () => {
    const call = (authorization: string) => fetch(`${sim.url}/1/members/me/organizations`, { headers: { authorization } });
    const first = await call(ADMIN);
    await first.body?.cancel();
    expect(Object.fromEntries([...first.headers].filter(([k]) => k.startsWith('x-rate-limit-')))).toEqual({
      'x-rate-limit-api-token-interval-ms': '600000',
      'x-rate-limit-api-token-max': '2',
      'x-rate-limit-api-token-remaining': '1',
      'x-rate-limit-api-key-interval-ms': '600000',
      'x-rate-limit-api-key-max': '3',
      'x-rate-limit-api-key-remaining': '2',
    });
    const answers: { status: number; body: unknown; retryAfter: string | null }[] = [];
    for (const auth of [ADMIN, ADMIN, VIEWER, VIEWER]) {
      const r = await call(auth);
      answers.push({ status: r.status, body: r.status === 429 ? await r.json() : (await r.body?.cancel(), null), retryAfter: r.headers.get('retry-after') });
    }
    expect(answers).toEqual([
      { status: 200, body: null, retryAfter: null },
      { status: 429, body: { error: 'API_TOKEN_LIMIT_EXCEEDED', message: 'Rate limit exceeded' }, retryAfter: null },
      { status: 200, body: null, retryAfter: null },
      { status: 429, body: { error: 'API_KEY_LIMIT_EXCEEDED', message: 'Rate limit exceeded' }, retryAfter: null },
    ]);
    expect(sim.stats().closedWindowRequests).toBe(2);
  });
});
