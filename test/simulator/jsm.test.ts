/**
 * The JSM product against jira-service-management.json over real HTTP: the JSM paged envelope with the
 * per-method cap (quirk Q5), the experimental-API header, project identifiers for serviceDeskId, 404s of
 * vanished parents, the JSM error body, auth; determinism.
 */
import { describe, expect, it } from 'vitest';
import { jsmTenant } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('viewer@example.com:sim-viewer-token').toString('base64')}`;
const OPT_IN = { 'X-ExperimentalApi': 'opt-in' };

interface Paged {
  size: number;
  start: number;
  limit: number;
  isLastPage: boolean;
  values: Record<string, unknown>[];
  _links: { base: string; context: string; self: string; next?: string; prev?: string };
}

const tenant = jsmTenant({ seed: 7, customers: 180, serviceDesks: 4, organizations: 5, vanishingDesks: 1, vanishingOrganizations: 1 });
const sim = simulatorForBlock({ products: [tenant], seed: 7 });

async function get<T = Paged>(path: string, headers: Record<string, string> = {}, auth = ADMIN): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${path}`, { headers: { authorization: auth, ...headers } });
  return { status: res.status, body: (await res.json()) as T };
}

describe('JSM simulator', () => {
  it('caps limit per method: a capped first page has size < limit and isLastPage false (Q5)', async () => {
    const big = tenant.model.desks.find((d) => d.customers.length > 100);
    expect(big).toBeDefined();
    const r = await get(`/rest/servicedeskapi/servicedesk/${big?.id}/customer?start=0&limit=100`, OPT_IN);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ size: 50, start: 0, limit: 100, isLastPage: false });
    expect(r.body.values).toHaveLength(50);
    expect(r.body._links.next).toContain('start=50');
    // Paging by items received reaches the end with isLastPage true.
    let start = 0;
    const seen: unknown[] = [];
    for (;;) {
      const p = await get(`/rest/servicedeskapi/servicedesk/${big?.id}/customer?start=${start}&limit=100`, OPT_IN);
      seen.push(...p.body.values.map((v) => v.accountId));
      start += p.body.size;
      if (p.body.isLastPage) break;
    }
    expect(new Set(seen).size).toBe(big?.customers.length);
  });

  it('customers need the experimental opt-in header', async () => {
    const r = await get<{ errorMessage: string }>('/rest/servicedeskapi/servicedesk/2/customer');
    expect(r.status).toBe(400);
    expect(r.body.errorMessage).toMatch(/experimental/i);
  });

  it('omits hidden e-mails and accepts a project key or id as serviceDeskId', async () => {
    const d = tenant.model.desks[1];
    const byKey = await get(`/rest/servicedeskapi/servicedesk/${d?.projectKey}/customer?limit=50`, OPT_IN);
    const byId = await get(`/rest/servicedeskapi/servicedesk/${d?.id}/customer?limit=50`, OPT_IN);
    expect(byKey.body.values).toEqual(byId.body.values);
    expect(byId.body.values.some((v) => !('emailAddress' in v))).toBe(true);
  });

  it('an empty list is one page with isLastPage true', async () => {
    const r = await get(`/rest/servicedeskapi/servicedesk/1/customer`, OPT_IN);
    expect(r.body).toMatchObject({ size: 0, isLastPage: true, values: [] });
  });

  it('vanished desks and organizations are listed but 404 on their children, with the JSM error body', async () => {
    const desks = await get('/rest/servicedeskapi/servicedesk');
    expect(desks.body.values).toHaveLength(4);
    const gone = await get<{ errorMessage: string; i18nErrorMessage: unknown }>('/rest/servicedeskapi/servicedesk/4/customer', OPT_IN);
    expect(gone.status).toBe(404);
    expect(gone.body.errorMessage).toBeTruthy();
    const orgGone = await get('/rest/servicedeskapi/organization/5/user');
    expect(orgGone.status).toBe(404);
    expect((await get('/rest/servicedeskapi/organization/abc/user')).status).toBe(400);
  });

  it('serves the agent role of desk projects through the platform endpoints', async () => {
    const d = tenant.model.desks[1];
    const map = await get<Record<string, string>>(`/rest/api/3/project/${d?.projectId}/role`);
    expect(Object.keys(map.body)).toContain('Service Desk Team');
    const role = await get<{ actors: { type: string }[] }>(new URL(map.body['Service Desk Team'] ?? '').pathname);
    expect(role.status).toBe(200);
    expect(role.body.actors.some((a) => a.type === 'atlassian-group-role-actor')).toBe(true);
  });

  it('401 without valid credentials; the limited account is denied customers (403)', async () => {
    expect((await get('/rest/servicedeskapi/servicedesk', {}, `Basic ${Buffer.from('x@y.z:nope').toString('base64')}`)).status).toBe(401);
    expect((await get('/rest/servicedeskapi/servicedesk', {}, VIEWER)).status).toBe(200);
    expect((await get('/rest/servicedeskapi/servicedesk/2/customer', OPT_IN, VIEWER)).status).toBe(403);
  });

  it('is deterministic per seed', () => {
    const a = jsmTenant({ seed: 9 }).groundTruth();
    const b = jsmTenant({ seed: 9 }).groundTruth();
    expect(a).toEqual(b);
    expect(jsmTenant({ seed: 10 }).groundTruth()).not.toEqual(a);
  });
});
