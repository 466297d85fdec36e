import { describe, expect, it } from 'vitest';
import { assets, assetsStreams } from '../../functions/assets.ts';
import { assetsObjects } from '../../functions/assets.tables.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const streams = assetsStreams({ assets: { objectTypes: ['Laptops', '42'] }, auth: { kind: 'bearer' } });

const stream = (name: string) => findStream(streams, name);
const read = (name: string, body: unknown, parent: unknown = null, cursor: unknown = null) => readPage(stream(name), body, { parent, cursor });
const rowsOf = (name: string, body: unknown, parent: unknown = null) => read(name, body, parent).rows;

const schema = { ws: 'w1', schema: '3' };

describe('Assets payload normalization', () => {
  it('ends AQL and schema lists on isLast (or its twin last) only, never on total', () => {
    const t = { ...schema, type: '42', name: 'Servers' };
    expect(read('objects', { startAt: 0, maxResults: 25, total: 1, isLast: false, values: [{ id: 1 }] }, t).next).toEqual({ startAt: 1 });
    expect(read('objects', { startAt: 0, maxResults: 25, isLast: true, values: [{ id: 1 }] }, t).next).toBeNull();
    expect(read('object_schemas', { startAt: 0, maxResults: 25, total: 9, last: true, values: [{ id: 1, name: 'IT' }] }, { ws: 'w1' }).next).toBeNull();
  });

  it('posts the AQL for the type with includeAttributes=false and paging in the query', () => {
    const req = stream('objects').style({ ...schema, type: '42', name: 'Servers' } as never).request({ startAt: 50 });
    expect(req).toMatchObject({ method: 'POST', path: '/jsm/assets/workspace/w1/v1/object/aql', body: { qlQuery: 'objectTypeId = 42' } });
    expect(req.query).toMatchObject({ startAt: 50, maxResults: 100, includeAttributes: false });
    expect(assetsStreams({ assets: { pathPrefix: '/gateway/api/jsm/assets/' }, auth: { kind: 'bearer' } })[0]?.children[0]?.style({ ws: 'w' } as never).request(null).path).toBe('/gateway/api/jsm/assets/workspace/w/v1/objectschema/list');
  });

  it('sends a classic API token to the site for the workspace id and to api.atlassian.com/jsm/assets for the Assets API', () => {
    // Prepare: basic auth, no apiBaseUrl (Atlassian's Assets REST API guide).
    const unit = { org: 'acme', product: 'assets' as const, siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic' as const } };
    // Act
    const [workspaces] = assetsStreams(unit);
    // Assess
    expect(assets.baseUrl?.(unit)).toBe('https://acme.atlassian.net');
    expect(assets.origins?.(unit)).toEqual(['https://api.atlassian.com']);
    expect(workspaces?.style(null).request(null).path).toBe('/rest/servicedeskapi/assets/workspace');
    expect(workspaces?.children[0]?.style({ ws: 'w' } as never).request(null).path).toBe('https://api.atlassian.com/jsm/assets/workspace/w/v1/objectschema/list');
  });

  it('keeps a bearer token or a scoped token (apiBaseUrl) on the gateway for both', () => {
    const oauth = { org: 'acme', product: 'assets' as const, siteUrl: 'https://acme.atlassian.net', auth: { kind: 'bearer' as const } };
    const scoped = { ...oauth, auth: { kind: 'basic' as const }, apiBaseUrl: 'https://api.atlassian.com/ex/jira/{cloudId}' };
    expect(assets.baseUrl?.(oauth)).toBe('https://api.atlassian.com/ex/jira/{cloudId}');
    expect(assets.origins?.(scoped)).toEqual([]);
    expect(assetsStreams(scoped)[0]?.children[0]?.style({ ws: 'w' } as never).request(null).path).toBe('/jsm/assets/workspace/w/v1/objectschema/list');
  });

  it('maps object types and collects children only for configured names or ids', () => {
    const s = stream('object_types');
    const body = [
      { id: '41', name: 'Laptops', globalId: 'g:41', abstractObjectType: false, inherited: true, parentObjectTypeId: 40, objectCount: 3 },
      { id: 42, name: 'Servers' },
      { id: '43', name: 'Phones' },
    ];
    const items = read('object_types', body, schema).items;
    expect(items.map((i) => s.childKey(i, schema as never))).toEqual([{ ...schema, type: '41', name: 'Laptops' }, { ...schema, type: '42', name: 'Servers' }, undefined]);
    expect(rowsOf('object_types', body, schema)[0]).toEqual({
      table: 'assets_object_types', workspace_id: 'w1', schema_id: '3', object_type_id: '41', global_id: 'g:41', name: 'Laptops', parent_object_type_id: '40', abstract_object_type: false, inherited: true, object_count: 3, collected: true,
    });
    expect(rowsOf('object_types', body, schema)[2]?.collected).toBe(false);
  });

  it('maps objects with unicode labels; rows fit the table', () => {
    const rows = rowsOf('objects', { isLast: true, values: [{ id: '7', globalId: 'g:7', objectKey: 'IT-7', label: 'Zoë’s iPhone 🚀', created: '2025-01-01T00:00:00.000Z', updated: null }] }, { ...schema, type: '41', name: 'Laptops' });
    expect(rows).toEqual([{ table: 'assets_objects', workspace_id: 'w1', schema_id: '3', object_type_id: '41', object_type_name: 'Laptops', object_id: '7', global_id: 'g:7', object_key: 'IT-7', label: 'Zoë’s iPhone 🚀', created: '2025-01-01T00:00:00.000Z', updated: null }]);
    const { table: _t, ...cols } = rows[0] ?? {};
    expect(assetsObjects.schema.safeParse({ ...cols, site: 's', collected_at: '2026-11-28T00:00:00.000Z' }).success).toBe(true);
  });

  it('rejects undescribed payloads naming the field', () => {
    expect(() => read('object_types', [{ name: 'no id' }], schema)).toThrow(PayloadError);
    expect(() => read('workspaces', { isLastPage: true, values: [{}] })).toThrow(/values\[0\]\.workspaceId/);
  });
});
