/**
 * The Trello product over real HTTP: key + token in the OAuth-style Authorization header, unpaged JSON arrays,
 * membership filters, 401/404 in Trello's words, enterprise admins; determinism; odd cases of the model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, startSimulator, trelloTenant, type Simulator, type TrelloSim } from '../../shared/simulator/index.ts';

const header = (key: string, token: string) => `OAuth oauth_consumer_key="${key}", oauth_token="${token}"`;
const ADMIN = header(DEFAULT_CREDENTIALS.trelloKey ?? '', DEFAULT_CREDENTIALS.trelloToken ?? '');
const VIEWER = header(DEFAULT_CREDENTIALS.trelloKey ?? '', DEFAULT_LIMITED_CREDENTIALS.trelloToken ?? '');
type Json = Record<string, unknown>;

async function get<T>(sim: Simulator, path: string, authorization: string | null = ADMIN): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${path}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

describe('Trello simulator', () => {
  let tenant: TrelloSim;
  let sim: Simulator;
  beforeAll(async () => {
    tenant = trelloTenant({ seed: 2, members: 80, workspaces: 3, boards: 5, vanishingBoards: 1 });
    sim = await startSimulator({ products: [tenant], seed: 2 });
  });
  afterAll(async () => sim.close());

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
