/**
 * The Assets product over real HTTP: the JSM workspace lookup, `/objectschema/list` paging with the cap and
 * `isLast`/`last`, `/objecttypes/flat`, `POST /object/aql` (startAt/maxResults in the query, qlQuery in the
 * body, includeAttributes), the gateway and Basic forms, 404s of vanished schemas, 403 for the limited account.
 */
import { describe, expect, it } from 'vitest';
import { assetsTenant } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('viewer@example.com:sim-viewer-token').toString('base64')}`;
type Body = Record<string, unknown> & { values: Record<string, unknown>[] };

const tenant = assetsTenant({ seed: 7, schemas: 30, typesPerSchema: 3, objectsPerType: 60, vanishingSchemas: 1 });
const sim = simulatorForBlock({ products: [tenant], seed: 7 });

async function call<T = Body>(path: string, init: { method?: string; body?: unknown; auth?: string } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: init.auth ?? ADMIN, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('Assets simulator', () => {
  const ws = () => tenant.model.workspaces[0]?.id ?? '';

  it('gives the workspace id through the JSM envelope', async () => {
    const r = await call('/rest/servicedeskapi/assets/workspace');
    expect(r.body).toMatchObject({ isLastPage: true, values: [{ workspaceId: ws() }] });
  });

  it('caps objectschema/list and ends with isLast and last', async () => {
    const first = await call(`/jsm/assets/workspace/${ws()}/v1/objectschema/list?startAt=0&maxResults=100`);
    expect(first.body).toMatchObject({ startAt: 0, maxResults: 25, isLast: false, last: false });
    expect(first.body.values).toHaveLength(25);
    const second = await call(`/jsm/assets/workspace/${ws()}/v1/objectschema/list?startAt=25&maxResults=100&includeCounts=true`);
    expect(second.body).toMatchObject({ isLast: true, last: true });
    expect(second.body.values).toHaveLength(5);
    expect(second.body.values.some((v) => Number(v.objectCount) > 0)).toBe(true);
  });

  it('lists object types flat; a vanished schema is 404', async () => {
    const s = tenant.model.workspaces[0]?.schemas;
    const types = await call<Record<string, unknown>[]>(`/jsm/assets/workspace/${ws()}/v1/objectschema/${s?.[0]?.id}/objecttypes/flat`);
    expect(types.body).toHaveLength(3);
    expect(types.body.some((t) => t.abstractObjectType === true)).toBe(true);
    expect((await call(`/jsm/assets/workspace/${ws()}/v1/objectschema/${s?.[29]?.id}/objecttypes/flat`)).status).toBe(404);
  });

  it('AQL pages with startAt/maxResults in the query and the AQL in the body; attributes only when asked', async () => {
    const t = tenant.model.workspaces[0]?.schemas[0]?.types[1];
    const path = `/jsm/assets/workspace/${ws()}/v1/object/aql`;
    const p1 = await call(`${path}?startAt=0&maxResults=100&includeAttributes=false`, { method: 'POST', body: { qlQuery: `objectTypeId = ${t?.id}` } });
    expect(p1.body).toMatchObject({ startAt: 0, maxResults: 50, isLast: false });
    expect(p1.body.values[0]).not.toHaveProperty('attributes');
    const p2 = await call(`${path}?startAt=50&maxResults=100`, { method: 'POST', body: { qlQuery: `objectTypeId = ${t?.id}` } });
    expect(p2.body).toMatchObject({ isLast: true });
    expect(p2.body.values[0]).toHaveProperty('attributes');
    expect(p1.body.values.length + p2.body.values.length).toBe(t?.objects.length);
    expect((await call(path, { method: 'POST', body: { qlQuery: 'Name LIKE x' } })).status).toBe(400);
  });

  it('serves the gateway to Bearer tokens; the limited account gets 403', async () => {
    const r = await fetch(`${sim.url}/ex/jira/${sim.cloudId}/jsm/assets/workspace/${ws()}/v1/objectschema/list`, { headers: { authorization: 'Bearer sim-bearer-token' } });
    expect(r.status).toBe(200);
    expect((await call(`/jsm/assets/workspace/${ws()}/v1/objectschema/list`, { auth: VIEWER })).status).toBe(403);
  });

  it('is deterministic and ground truth follows the configured types', () => {
    expect(assetsTenant({ seed: 2 }).groundTruth(['Servers'])).toEqual(assetsTenant({ seed: 2 }).groundTruth(['Servers']));
    expect(assetsTenant({ seed: 2 }).groundTruth([]).assets_objects).toEqual([]);
  });
});
