import { describe, expect, it } from 'vitest';
import { admin, adminModule, adminStreams, cloudIdOf, groupIdOf, workspaceCursor, type AdminOptions } from '../../functions/admin.ts';
import { adminTables } from '../../functions/admin.tables.ts';
import type { Unit } from '../../shared/config.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { ConfigError, PayloadError } from '../../shared/errors.ts';

function stream(name: string, options: AdminOptions = {}): Stream {
  const walk = (list: readonly Stream[]): Stream | undefined => {
    for (const s of list) {
      const found = s.name === name ? s : walk(s.children);
      if (found) return found;
    }
    return undefined;
  };
  const s = walk(adminStreams('org-1', options));
  if (!s) throw new Error(`no stream ${name}`);
  return s;
}

/** Read one response body through a stream's style and row mapping, as the engine does. */
function read(name: string, body: unknown, parent: unknown = null, options: AdminOptions = {}) {
  const s = stream(name, options);
  const { items, next } = s.style(parent as never).read({ status: 200, body, headers: {} }, null, 'POST /test');
  const rows = items.flatMap((i) => s.rows(i, parent as never)).map((r): Record<string, unknown> => ({ table: r.table.name, ...r.row }));
  return { items, next, rows, keys: items.map((i) => s.childKey(i, parent as never)) };
}

const rowsOf = (name: string, body: unknown, parent: unknown = null) => read(name, body, parent).rows;

function expectValid(rows: Record<string, unknown>[]) {
  for (const r of rows) {
    const { table, ...cols } = r;
    const t = adminTables.find((x) => x.name === table);
    const res = t?.schema.safeParse({ ...cols, site: 'api.atlassian.com', collected_at: '2026-11-28T00:00:00.000Z' });
    expect(res?.success, `${String(table)}: ${JSON.stringify(res?.error?.issues[0])}`).toBe(true);
  }
}

describe('Admin payload normalization', () => {
  it('users: hidden e-mail, unicode name, unmanaged without 2SV, nanosecond last-active, ARI group ids', () => {
    const { rows, next } = read('users', {
      data: [
        {
          accountId: '712020:aaaa',
          accountType: 'atlassian',
          accountStatus: 'active',
          membershipStatus: 'active',
          status: 'active',
          claimStatus: 'managed',
          managementSource: null,
          email: 'zoe@acme.example',
          emailVerified: true,
          name: 'Zoë Ångström 山田 🚀',
          nickname: 'Zoë',
          mfaEnabled: true,
          addedToOrg: '2024-01-01T10:00:00+02:00',
          platformRoles: ['atlassian/org-admin'],
          groups: [
            { id: 'ari:cloud:identity::group/1111-2222', name: 'Équipe', description: null },
            { id: '3333-4444', name: null },
          ],
          productAccess: [
            { id: 'ari:cloud:jira::site/cloud-1', key: 'jira', lastActiveTimestamp: '2025-11-06T23:07:29.936941226Z' },
            { id: 'ari:cloud:confluence::site/cloud-1', key: 'confluence', lastActiveTimestamp: '2026-02-01T08:00:00Z' },
            { id: 'ari:cloud:bitbucket::workspace/ws-1', key: 'bitbucket' },
          ],
        },
        { accountId: '5b10a2844c20165700ede21g', claimStatus: 'unmanaged', status: 'not_invited', name: 'Hidden Person' },
      ],
      links: { self: 'c0', next: 'kloHX1ZQVasDAkx_P48NYQ' },
    });
    expect(next).toBe('kloHX1ZQVasDAkx_P48NYQ');
    expect(rows).toEqual([
      {
        table: 'admin_users',
        account_id: '712020:aaaa',
        account_type: 'atlassian',
        account_status: 'active',
        membership_status: 'active',
        status: 'active',
        claim_status: 'managed',
        management_source: null,
        email: 'zoe@acme.example',
        email_verified: true,
        name: 'Zoë Ångström 山田 🚀',
        nickname: 'Zoë',
        mfa_enabled: true,
        added_to_org: '2024-01-01T08:00:00.000Z',
        last_active: '2026-02-01T08:00:00.000Z',
        platform_roles: ['atlassian/org-admin'],
      },
      { table: 'admin_user_product_access', account_id: '712020:aaaa', product_key: 'jira', resource_id: 'ari:cloud:jira::site/cloud-1', cloud_id: 'cloud-1', last_active: '2025-11-06T23:07:29.936Z' },
      { table: 'admin_user_product_access', account_id: '712020:aaaa', product_key: 'confluence', resource_id: 'ari:cloud:confluence::site/cloud-1', cloud_id: 'cloud-1', last_active: '2026-02-01T08:00:00.000Z' },
      { table: 'admin_user_product_access', account_id: '712020:aaaa', product_key: 'bitbucket', resource_id: 'ari:cloud:bitbucket::workspace/ws-1', cloud_id: null, last_active: null },
      { table: 'admin_group_members', group_id: '1111-2222', account_id: '712020:aaaa', group_name: 'Équipe' },
      { table: 'admin_group_members', group_id: '3333-4444', account_id: '712020:aaaa', group_name: null },
      {
        table: 'admin_users',
        account_id: '5b10a2844c20165700ede21g',
        account_type: null,
        account_status: null,
        membership_status: null,
        status: 'not_invited',
        claim_status: 'unmanaged',
        management_source: null,
        email: null,
        email_verified: null,
        name: 'Hidden Person',
        nickname: null,
        mfa_enabled: null,
        added_to_org: null,
        last_active: null,
        platform_roles: [],
      },
    ]);
    expectValid(rows);
  });

  it('users: the last page has no links.next; a missing data array is an error naming it', () => {
    expect(read('users', { data: [], links: {} }).next).toBeNull();
    expect(read('users', { data: [] }).next).toBeNull();
    expect(read('users', { data: [], links: { next: '' } }).next).toBeNull();
    expect(() => read('users', { links: {} })).not.toThrow(); // data absent = no items (optional in v1/GET pages)
    expect(() => read('users', { data: 'nope' })).toThrow(/'data'/);
  });

  it('users: no accountId or an unparseable timestamp is a PayloadError naming the field', () => {
    expect(() => rowsOf('users', { data: [{ name: 'x' }] })).toThrow(PayloadError);
    expect(() => rowsOf('users', { data: [{ name: 'x' }] })).toThrow(/'data\[0\]\.accountId'/);
    expect(() => rowsOf('users', { data: [{ accountId: 'a', productAccess: [{ key: 'jira', lastActiveTimestamp: 'last tuesday' }] }] })).toThrow(
      /'data\[0\]\.productAccess\[0\]\.lastActiveTimestamp'/,
    );
  });

  it('API tokens are read for managed accounts that are not closed; "active" and "none" bound them', () => {
    const data = [
      { accountId: 'm-active', claimStatus: 'managed', accountStatus: 'active' },
      { accountId: 'm-inactive', claimStatus: 'managed', accountStatus: 'inactive' },
      { accountId: 'm-closed', claimStatus: 'managed', accountStatus: 'closed' },
      { accountId: 'unmanaged', claimStatus: 'unmanaged', accountStatus: 'active' },
    ];
    expect(read('api_token_accounts', { data }, 'per-account').keys).toEqual(['m-active', 'm-inactive', undefined, undefined]);
    expect(read('api_token_accounts', { data }, 'per-account', { apiTokens: 'active' }).keys).toEqual(['m-active', undefined, undefined, undefined]);
    expect(adminStreams('org-1', { apiTokens: 'none' }).some((s) => s.name === 'org_api_tokens')).toBe(false);
  });

  it('the organization token listing: owner from user.id, status kept, source org-listing; a bare cursor becomes ?cursor=', () => {
    const { rows, next, keys } = read('org_api_tokens', {
      data: [
        { id: 't1', label: 'CI', status: 'BLOCKED', createdAt: '2025-03-01T10:00:00Z', expiresAt: '2026-03-01T00:00:00Z', lastActiveAt: '2025-05-12T20:20:50.521+00:00', user: { id: 'acc-1', orgId: 'org-1', name: 'A', email: 'a@x' } },
        { id: 't2', label: 'never', status: 'ALLOWED', createdAt: '2015-04-12T23:20:50Z', user: { id: 'acc-2' } },
      ],
      links: { next: 'abc=' },
    });
    expect(rows).toEqual([
      { table: 'admin_api_tokens', account_id: 'acc-1', token_id: 't1', label: 'CI', created_at: '2025-03-01T10:00:00.000Z', last_access: '2025-05-12T20:20:50.521Z', expires_at: '2026-03-01T00:00:00.000Z', status: 'BLOCKED', source: 'org-listing' },
      { table: 'admin_api_tokens', account_id: 'acc-2', token_id: 't2', label: 'never', created_at: '2015-04-12T23:20:50.000Z', last_access: null, expires_at: null, status: 'ALLOWED', source: 'org-listing' },
    ]);
    expectValid(rows);
    expect(keys).toEqual([undefined, undefined]);
    expect(next).toBe('/admin/api-access/v1/orgs/org-1/api-tokens?cursor=abc%3D');
    expect(stream('org_api_tokens').optional).toBe(true);
    expect(stream('org_api_tokens').fallback).toBe('per-account');
  });

  it('service accounts: items (not data), epoch-millisecond times; OAuth clients without secrets', () => {
    const sa = read('service_accounts', {
      items: [{ atlassianId: '712020:x', id: 'sa-1', email: 'bot@serviceaccount.atlassian.com', displayName: 'bot', updatedAt: 1764642980899, status: 'ACTIVE', createdById: 'admin-1' }],
      links: { next: 'https://api.atlassian.com/admin/api-access/v1/orgs/org-1/service-accounts?cursor=n' },
      total: 2,
    });
    expect(sa.rows).toEqual([
      { table: 'admin_service_accounts', service_account_id: 'sa-1', account_id: '712020:x', email: 'bot@serviceaccount.atlassian.com', display_name: 'bot', status: 'ACTIVE', description: null, created_by_id: 'admin-1', updated_at: '2025-12-02T02:36:20.899Z' },
    ]);
    expect(sa.keys).toEqual(['sa-1']);
    expect(sa.next).toBe('https://api.atlassian.com/admin/api-access/v1/orgs/org-1/service-accounts?cursor=n');
    const clients = read('service_account_oauth_clients', { data: [{ clientId: 'c-1', name: 'etl', createdAt: 1763149545609, updatedAt: 1763149545609, status: 'ACTIVE', clientSecret: 'never-stored' }], links: {} }, 'sa-1');
    expect(clients.rows).toEqual([{ table: 'admin_service_account_oauth_clients', service_account_id: 'sa-1', client_id: 'c-1', name: 'etl', status: 'ACTIVE', created_at: '2025-11-14T19:45:45.609Z', updated_at: '2025-11-14T19:45:45.609Z' }]);
    expect(JSON.stringify(clients.rows)).not.toContain('never-stored');
    expectValid([...sa.rows, ...clients.rows]);
  });

  it('API tokens: optional lastAccess/expiry become null, offsets become UTC', () => {
    const rows = rowsOf(
      'api_tokens',
      [
        { id: 't1', label: 'ci/cd 🚀', createdAt: '2025-03-01T10:00:00+00:00', lastAccess: '2025-05-12T20:20:50.521Z', expiry: '2026-03-01T00:00:00.000Z' },
        { id: 't2', label: '', createdAt: '2015-04-12T23:20:50' },
      ],
      'acc-1',
    );
    expect(rows).toEqual([
      { table: 'admin_api_tokens', account_id: 'acc-1', token_id: 't1', label: 'ci/cd 🚀', created_at: '2025-03-01T10:00:00.000Z', last_access: '2025-05-12T20:20:50.521Z', expires_at: '2026-03-01T00:00:00.000Z', status: null, source: 'per-account' },
      { table: 'admin_api_tokens', account_id: 'acc-1', token_id: 't2', label: '', created_at: '2015-04-12T23:20:50.000Z', last_access: null, expires_at: null, status: null, source: 'per-account' },
    ]);
    expectValid(rows);
    expect(() => rowsOf('api_tokens', [{ id: 't3', createdAt: '2015-04-12T23:20:50Z' }], 'acc-1')).toThrow(/'\[0\]\.label'/);
    expect(stream('api_tokens').notFound).toBe('skip-parent');
    expect(stream('api_tokens').style('712020:a/b' as never).request(null)).toMatchObject({ path: '/users/712020%3Aa%2Fb/manage/api-tokens' });
  });

  it('groups: bare ids, missing description and counts become null', () => {
    const rows = rowsOf('groups', {
      data: [
        { id: 'g-1', name: 'on-call 🚨', directoryId: 'd-1', managedBy: 'external', externalSynced: true, counts: { users: 0, resources: 2 } },
        { id: 'ari:cloud:identity::group/g-2', name: 'x', description: 'd' },
      ],
    });
    expect(rows).toEqual([
      { table: 'admin_groups', group_id: 'g-1', name: 'on-call 🚨', description: null, directory_id: 'd-1', managed_by: 'external', synced: true, member_count: 0, resource_count: 2 },
      { table: 'admin_groups', group_id: 'g-2', name: 'x', description: 'd', directory_id: null, managed_by: null, synced: null, member_count: null, resource_count: null },
    ]);
    expectValid(rows);
  });

  it('group role assignments: one row per role, a null role when none; groups hand their bare id to it', () => {
    const rows = rowsOf(
      'group_role_assignments',
      {
        data: [
          { resourceId: 'ari:cloud:jira::site/c-1', resourceOwner: 'jira-software', roles: ['atlassian/admin', 'atlassian/user'], defaultRole: 'atlassian/user' },
          { resourceId: 'ari:cloud:confluence::site/c-1', resourceOwner: 'confluence', roles: [], defaultRole: null },
        ],
        links: { self: 'x' },
      },
      'g-1',
    );
    expect(rows).toEqual([
      { table: 'admin_group_role_assignments', group_id: 'g-1', resource_id: 'ari:cloud:jira::site/c-1', resource_owner: 'jira-software', cloud_id: 'c-1', default_role: 'atlassian/user', role: 'atlassian/admin' },
      { table: 'admin_group_role_assignments', group_id: 'g-1', resource_id: 'ari:cloud:jira::site/c-1', resource_owner: 'jira-software', cloud_id: 'c-1', default_role: 'atlassian/user', role: 'atlassian/user' },
      { table: 'admin_group_role_assignments', group_id: 'g-1', resource_id: 'ari:cloud:confluence::site/c-1', resource_owner: 'confluence', cloud_id: 'c-1', default_role: null, role: null },
    ]);
    expectValid(rows);
    expect(read('groups', { data: [{ id: 'ari:cloud:identity::group/g-2' }] }).keys).toEqual(['g-2']);
    const style = stream('group_role_assignments').style('g 2' as never);
    expect(style.request(null)).toMatchObject({ path: '/admin/v2/orgs/org-1/directories/-/groups/g%202/role-assignments', query: { limit: 100 } });
    expect(style.request('NEXT')).toMatchObject({ query: { cursor: 'NEXT', limit: 100 } });
    expect(stream('group_role_assignments').notFound).toBe('skip-parent');
  });

  it('searches ask the maximum page size and resend the cursor in the body', () => {
    const s = stream('users').style(null as never);
    expect(s.request(null)).toMatchObject({ method: 'POST', path: '/admin/v2/orgs/org-1/directories/-/users/search', body: { limit: 100, expand: ['groups', 'productAccess', 'platformRoles'] } });
    expect(s.request('CUR')).toMatchObject({ body: { limit: 100, cursor: 'CUR', expand: ['groups', 'productAccess', 'platformRoles'] } });
    expect(stream('groups').style(null as never).request(null)).toMatchObject({ body: { limit: 100, expand: ['counts.users', 'counts.resources'] } });
    expect(stream('directories').style(null as never).request(null)).toMatchObject({ path: '/admin/v2/orgs/org-1/directories', query: { limit: 100 } });
  });

  it('workspaces: the cursor comes alone on later pages, read from a next URL or a bare token', () => {
    const s = stream('workspaces').style(null as never);
    expect(s.request(null)).toMatchObject({ method: 'POST', body: { limit: 1000 } });
    expect(s.request('abc').body).toEqual({ cursor: 'abc' });
    const page = read('workspaces', {
      data: [{ id: 'ari:cloud:jira::site/c-1', type: 'workspaces', attributes: { name: 'acme', type: 'jira', typeKey: 'jira-software', hostUrl: null, status: 'online', createdAt: '2019-01-03T08:30:00.000Z' } }],
      links: { next: 'https://api.atlassian.com/admin/v2/orgs/org-1/workspaces?cursor=c29tZQ' },
    });
    expect(page.next).toBe('c29tZQ');
    expect(page.rows).toEqual([{ table: 'admin_workspaces', workspace_id: 'ari:cloud:jira::site/c-1', cloud_id: 'c-1', name: 'acme', type: 'jira', type_key: 'jira-software', host_url: null, status: 'online', created_at: '2019-01-03T08:30:00.000Z' }]);
    expect(workspaceCursor('c29tZQ', 'e')).toBe('c29tZQ');
    expect(workspaceCursor(undefined, 'e')).toBeUndefined();
    expect(() => workspaceCursor('https://api.atlassian.com/admin/v2/orgs/o/workspaces?page=2', 'e')).toThrow(PayloadError);
  });

  it('domains and policies (v1): claim and rule are optional; links.next is followed as a URL', () => {
    const d = read('domains', {
      data: [
        { id: 'd1', type: 'domains', attributes: { name: 'bücher.example', claim: { type: 'dns', status: 'verified' } }, links: { self: 's' } },
        { id: 'd2', type: 'domains', attributes: { name: 'legacy.acme.example' }, links: { self: 's' } },
      ],
      links: { next: 'https://api.atlassian.com/admin/v1/orgs/org-1/domains?cursor=n2' },
    });
    expect(d.next).toBe('https://api.atlassian.com/admin/v1/orgs/org-1/domains?cursor=n2');
    expect(d.rows.map((r) => [r.domain_id, r.name, r.claim_type, r.claim_status])).toEqual([
      ['d1', 'bücher.example', 'dns', 'verified'],
      ['d2', 'legacy.acme.example', null, null],
    ]);
    expect(stream('domains').style(null as never).request(null)).toEqual({ path: '/admin/v1/orgs/org-1/domains', query: {}, requires: expect.stringContaining('read:domains:admin') as unknown, headers: undefined });
    const p = rowsOf('policies', {
      data: [
        { id: 'p1', type: 'policy', attributes: { name: 'VPN', type: 'ip-allowlist', status: 'enabled', rule: { in: ['203.0.113.0/24'] }, resources: [{ id: 'ari:cloud:jira::site/c-1', applicationStatus: 'applied' }] } },
        { id: 'p2', type: 'policy', attributes: { type: 'data-security' } },
      ],
      meta: { next: null, page_size: 20 },
    });
    expect(p).toEqual([
      { table: 'admin_policies', policy_id: 'p1', name: 'VPN', type: 'ip-allowlist', status: 'enabled', rule_in: ['203.0.113.0/24'] },
      { table: 'admin_policy_resources', policy_id: 'p1', resource_id: 'ari:cloud:jira::site/c-1', application_status: 'applied' },
      { table: 'admin_policies', policy_id: 'p2', name: null, type: 'data-security', status: null, rule_in: [] },
    ]);
    expectValid(p);
  });

  it('ids: group ARIs reduce to the bare id, site ARIs give the cloud id', () => {
    expect(groupIdOf('ari:cloud:identity::group/12345678-1234')).toBe('12345678-1234');
    expect(groupIdOf('12345678-1234')).toBe('12345678-1234');
    expect(cloudIdOf('ari:cloud:confluence::site/abc')).toBe('abc');
    expect(cloudIdOf('ari:cloud:bitbucket::workspace/abc')).toBeNull();
    expect(cloudIdOf(null)).toBeNull();
  });

  it('the module needs the orgId and talks to the API host origin', () => {
    const unit: Unit = { org: 'acme', product: 'admin', siteUrl: 'https://api.atlassian.com/admin', auth: { kind: 'bearer' } };
    expect(() => admin.streams(unit)).toThrow(ConfigError);
    expect(() => admin.streams(unit)).toThrow(/'orgId' is required/);
    expect(admin.baseUrl?.(unit)).toBe('https://api.atlassian.com');
    expect(adminModule({ apiTokens: 'none' }).streams({ ...unit, orgId: 'o' }).map((s) => s.name)).toEqual(['org', 'directories', 'domains', 'workspaces', 'policies', 'groups', 'users', 'service_accounts', 'audit_events']);
  });
});
