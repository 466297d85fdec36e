import { describe, expect, it } from 'vitest';
import { confluenceStreams, USER_SEARCH_MAX_RESULTS } from '../../functions/confluence.ts';
import { confluenceGroupMembers, confluenceUsers } from '../../functions/confluence.tables.ts';
import type { Json } from '../../shared/engine/paginate.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const stream = (name: string) => findStream(confluenceStreams, name);
const read = (name: string, body: unknown, opts: { parent?: Json; cursor?: Json; headers?: Record<string, string> } = {}) => readPage(stream(name), body, opts);

const valid = (table: { schema: { safeParse(v: unknown): { success: boolean } } }, r: Record<string, unknown>): boolean => {
  const { table: _t, ...cols } = r;
  return table.schema.safeParse({ ...cols, site: 's', collected_at: '2026-11-28T00:00:00.000Z' }).success;
};

describe('Confluence payload normalization', () => {
  it('users-bulk: hidden e-mail ("" or null) becomes null; unicode, closed and app accounts are kept', () => {
    const { rows } = read(
      'users_bulk',
      {
        results: [
          { accountId: '5b10a2844c20165700ede21g', accountType: 'atlassian', accountStatus: 'active', displayName: 'Zoë Ångström 山田 🚀', publicName: 'Zoë', email: 'zoe@acme.test', isExternalCollaborator: false, personalSpaceId: '98307', timeZone: 'Europe/Stockholm' },
          { accountId: '712020:0a1b', accountType: 'atlassian', accountStatus: 'inactive', displayName: 'Hidden', publicName: 'Hidden', email: '', isExternalCollaborator: true, personalSpaceId: null, timeZone: null },
          { accountId: '557058:bot', accountType: 'app', accountStatus: 'active', displayName: 'Slack', publicName: 'Slack', email: null },
          { accountId: 'former', accountStatus: 'closed', displayName: 'Former user', publicName: 'Former user', personalSpaceId: 42 },
        ],
        _links: { base: 'https://acme.atlassian.net/wiki' },
      },
      { parent: { ids: ['5b10a2844c20165700ede21g', '712020:0a1b', '557058:bot', 'former'] } },
    );
    expect(rows).toEqual([
      { table: 'confluence_users', account_id: '5b10a2844c20165700ede21g', account_type: 'atlassian', account_status: 'active', display_name: 'Zoë Ångström 山田 🚀', public_name: 'Zoë', email: 'zoe@acme.test', is_guest: false, personal_space_id: '98307', time_zone: 'Europe/Stockholm' },
      { table: 'confluence_users', account_id: '712020:0a1b', account_type: 'atlassian', account_status: 'inactive', display_name: 'Hidden', public_name: 'Hidden', email: null, is_guest: true, personal_space_id: null, time_zone: null },
      { table: 'confluence_users', account_id: '557058:bot', account_type: 'app', account_status: 'active', display_name: 'Slack', public_name: 'Slack', email: null, is_guest: null, personal_space_id: null, time_zone: null },
      { table: 'confluence_users', account_id: 'former', account_type: 'unknown', account_status: 'closed', display_name: 'Former user', public_name: 'Former user', email: null, is_guest: null, personal_space_id: '42', time_zone: null },
    ]);
    for (const r of rows) expect(valid(confluenceUsers, r)).toBe(true);
  });

  it('users-bulk is one POST with the parent page of ids', () => {
    const req = stream('users_bulk').style({ ids: ['a', 'b'] }).request(null);
    expect(req).toMatchObject({ method: 'POST', path: '/wiki/api/v2/users-bulk', body: { accountIds: ['a', 'b'] } });
  });

  it('fails on a user without accountId, naming the field', () => {
    const bad = { results: [{ displayName: 'x' }] };
    expect(() => read('users_bulk', bad, { parent: { ids: ['x'] } })).toThrow(PayloadError);
    expect(() => read('users_bulk', bad, { parent: { ids: ['x'] } })).toThrow(/'\[0\]\.accountId'/);
  });

  it('group members (v1 User): accountType "" and e-mail ""/null become null, a null display name stays null', () => {
    const { rows } = read(
      'group_members',
      {
        results: [
          { type: 'known', accountId: 'a1', accountType: 'atlassian', email: 'a@x.test', publicName: 'A', displayName: 'Ann Ångström', isGuest: false },
          { type: 'known', accountId: 'a2', accountType: '', email: '', publicName: 'Former user', displayName: 'Former user', isGuest: false },
          { type: 'known', accountId: 'a3', accountType: 'atlassian', email: null, publicName: 'Priv', displayName: null, isGuest: true },
        ],
        start: 0,
        limit: 200,
        size: 3,
        _links: {},
      },
      { parent: { id: 'g1', name: 'on-call 🚨' } },
    );
    expect(rows.map((r) => [r.account_id, r.account_type, r.email, r.display_name, r.is_guest, r.group_name])).toEqual([
      ['a1', 'atlassian', 'a@x.test', 'Ann Ångström', false, 'on-call 🚨'],
      ['a2', null, null, 'Former user', false, 'on-call 🚨'],
      ['a3', 'atlassian', null, null, true, 'on-call 🚨'],
    ]);
    for (const r of rows) expect(valid(confluenceGroupMembers, r)).toBe(true);
  });

  describe('v1 end of list (C1: unverified signal, both must agree)', () => {
    const page = (n: number, extra: Record<string, unknown>) => ({ results: Array.from({ length: n }, (_, i) => ({ id: `g${i}`, name: `g${i}` })), start: 0, size: n, ...extra });
    it('a short page with a next link is not the end', () => {
      expect(read('groups', page(3, { limit: 200, _links: { next: '/rest/api/group?start=3&limit=200' } })).next).toEqual({ startAt: 3 });
    });
    it('a short page without a next link is the end', () => {
      expect(read('groups', page(3, { limit: 200, _links: {} })).next).toBeNull();
    });
    it('a full page without a next link asks once more', () => {
      expect(read('groups', page(200, { limit: 200, _links: {} })).next).toEqual({ startAt: 200 });
    });
    it('a silently lowered limit is read from the response', () => {
      expect(read('groups', page(50, { limit: 50, _links: {} })).next).toEqual({ startAt: 50 });
      expect(read('groups', page(49, { limit: 50 })).next).toBeNull();
    });
    it('an empty page ends the list', () => {
      expect(read('groups', page(0, { limit: 200, _links: { next: '/x' } })).next).toBeNull();
    });
  });

  describe('user search', () => {
    const results = (ids: string[]) => ids.map((id) => ({ user: { type: 'known', accountId: id }, title: id, entityType: 'user' }));
    it('hands each page to users-bulk as one child key, and says on the first page what the search matched', () => {
      const first = read('users', { results: results(['u1', 'u2']), start: 0, limit: 250, size: 2, totalSize: 2, _links: {} });
      expect(first.next).toBeNull();
      expect(first.keys).toEqual([{ ids: ['u1', 'u2'] }]);
      expect(first.rows).toEqual([
        { table: 'confluence_settings', key: 'users.search_total_size', value: '2', source: 'GET /wiki/rest/api/search/user' },
        { table: 'confluence_settings', key: 'users.search_capped', value: 'false', source: 'GET /wiki/rest/api/search/user' },
      ]);
      const later = read('users', { results: results(['u3']), start: 250, limit: 250, size: 1, totalSize: 251, _links: {} }, { cursor: { startAt: 250 } });
      expect(later.rows).toEqual([]);
      expect(later.keys).toEqual([{ ids: ['u3'] }]);
    });
    it('asks for every permission type (guests included) and never past the 10,000-user window', () => {
      const req = stream('users').style(null).request({ startAt: 9750 });
      expect(req.query).toMatchObject({ cql: 'type=user', sitePermissionTypeFilter: 'all', start: 9750, limit: 250 });
      const ids = Array.from({ length: 250 }, (_, i) => `u${9750 + i}`);
      const last = read('users', { results: results(ids), start: 9750, limit: 250, size: 250, totalSize: 12000, _links: { next: '/rest/api/search/user?start=10000' } }, { cursor: { startAt: 9750 } });
      expect(last.next).toBeNull();
      const capped = read('users', { results: results(['u1']), start: 0, limit: 250, size: 1, totalSize: USER_SEARCH_MAX_RESULTS + 5, _links: { next: '/n' } });
      expect(capped.rows.find((r) => r.key === 'users.search_capped')?.value).toBe('true');
    });
    it('an empty site still reports the search totals and asks users-bulk nothing', () => {
      const empty = read('users', { results: [], start: 0, limit: 250, size: 0, totalSize: 0, _links: {} });
      expect(empty.next).toBeNull();
      expect(empty.keys).toEqual([undefined]);
      expect(empty.rows.map((r) => r.value)).toEqual(['0', 'false']);
    });
  });

  describe('v2 lists (C2)', () => {
    it('follow _links.next, else the Link header, and end when neither is there', () => {
      const body = { results: [{ id: 1, key: 'ENG', name: 'Eng', type: 'global', status: 'current', createdAt: '2024-05-01T10:00:00.000Z' }] };
      expect(read('spaces', { ...body, _links: { next: '/wiki/api/v2/spaces?cursor=abc&limit=250', base: 'https://x/wiki' } }).next).toBe('/wiki/api/v2/spaces?cursor=abc&limit=250');
      expect(read('spaces', body, { headers: { link: '</wiki/api/v2/spaces?cursor=def>; rel="next", <https://x/wiki>; rel="base"' } }).next).toBe('/wiki/api/v2/spaces?cursor=def');
      expect(read('spaces', { ...body, _links: { base: 'https://x/wiki' } }, { headers: { link: '<https://x/wiki>; rel="base"' } }).next).toBeNull();
      expect(stream('spaces').style(null).request(null).query).toEqual({ limit: 250 });
    });

    it('spaces: numeric ids become strings; a space without homepage or dates keeps nulls', () => {
      const { rows, keys } = read('spaces', { results: [{ id: 98307, key: '~712020abc', name: 'Zoë', type: 'personal', status: 'archived' }], _links: {} });
      expect(rows).toEqual([{ table: 'confluence_spaces', space_id: '98307', space_key: '~712020abc', name: 'Zoë', type: 'personal', status: 'archived', author_id: null, created_at: null, homepage_id: null }]);
      expect(keys).toEqual([{ id: '98307', key: '~712020abc' }]);
    });

    it('spaces: a malformed date fails naming the field', () => {
      expect(() => read('spaces', { results: [{ id: '1', key: 'K', createdAt: 'yesterday' }] })).toThrow(/'results\[0\]\.createdAt'/);
    });

    it('space permissions: a principal-less assignment keeps nulls', () => {
      const { rows } = read(
        'space_permissions',
        { results: [{ id: '7', principal: { type: 'group', id: 'g1' }, operation: { key: 'read', targetType: 'space' } }, { id: 8, operation: { key: 'administer', targetType: 'space' } }] },
        { parent: { id: '98307', key: 'ENG' } },
      );
      expect(rows).toEqual([
        { table: 'confluence_space_permissions', space_id: '98307', space_key: 'ENG', permission_id: '7', principal_type: 'group', principal_id: 'g1', operation: 'read', target_type: 'space' },
        { table: 'confluence_space_permissions', space_id: '98307', space_key: 'ENG', permission_id: '8', principal_type: null, principal_id: null, operation: 'administer', target_type: 'space' },
      ]);
    });

    it('space roles: missing permissions become an empty list', () => {
      const { rows } = read('space_roles', { results: [{ id: 'r1', type: 'CUSTOM', name: 'Auditors' }] }, { parent: { mode: 'ROLES' } });
      expect(rows).toEqual([{ table: 'confluence_space_roles', role_id: 'r1', name: 'Auditors', type: 'CUSTOM', description: null, space_permissions: [] }]);
    });
  });

  it('space-role-mode decides whether role endpoints are read', () => {
    for (const [mode, key] of [
      ['PRE_ROLES', undefined],
      ['ROLES_TRANSITION', { mode: 'ROLES_TRANSITION' }],
      ['ROLES', { mode: 'ROLES' }],
      [null, undefined],
    ] as const) {
      const r = read('space_role_mode', { mode });
      expect(r.keys).toEqual([key]);
      expect(r.rows).toEqual([{ table: 'confluence_settings', key: 'space_role_mode', value: mode, source: 'GET /wiki/api/v2/space-role-mode' }]);
    }
  });

  it('settings: audit retention and system info as key/value rows', () => {
    expect(read('audit_retention', { number: 3, units: 'YEARS' }).rows.map((r) => [r.key, r.value])).toEqual([
      ['audit.retention.number', '3'],
      ['audit.retention.units', 'YEARS'],
    ]);
    expect(read('system_info', { cloudId: 'c', commitHash: 'h', edition: 'standard', siteTitle: 'Wiki' }).rows.map((r) => [r.key, r.value])).toEqual([
      ['system.edition', 'standard'],
      ['system.site_title', 'Wiki'],
    ]);
    expect(() => read('audit_retention', { units: 'DAYS' })).toThrow(/'\[0\]\.number'/);
  });
});
