import { describe, expect, it } from 'vitest';
import { hasUserList, DcApplicationRole, DcUser, dcAccountId, dcApplicationRoleRows, dcHolderValue, dcUserRow, jiraDcModule, jiraDcStreams } from '../../functions/jira-dc.ts';
import { jiraUsers } from '../../functions/jira.tables.ts';

describe('Jira Data Center normalization', () => {
  it('maps a DC user (key, name; no accountId) into the Cloud jira_users columns, name as account_id by default', () => {
    const u = DcUser.parse({ self: 'https://jira.acme.internal/jira/rest/api/2/user?username=jdoe', key: 'JIRAUSER10100', name: 'jdoe', displayName: 'Zoë Ångström', active: false, timeZone: 'Europe/Berlin' });
    const r = dcUserRow(u, 'name');
    expect(r).toEqual({ account_id: 'jdoe', account_type: 'unknown', display_name: 'Zoë Ångström', email_address: null, active: false, app_type: null, guest: null, locale: null, time_zone: 'Europe/Berlin' });
    expect(jiraUsers.schema.parse({ ...r, site: 'jira.acme.internal', collected_at: '2026-11-28T00:00:00.000Z', deployment: 'data-center' })).toBeTruthy();
    expect(dcUserRow(u, 'key').account_id).toBe('JIRAUSER10100');
  });

  it('treats a user without `active` as active, and falls back to the name when no key is given', () => {
    expect(DcUser.parse({ name: 'x' }).active).toBe(true);
    expect(dcAccountId({ name: 'x' }, 'key')).toBe('x');
    expect(() => DcUser.parse({ key: 'k' })).toThrow();
  });

  it('derives holder_value as Cloud fills it: user (by the account_id rule), group name, else the parameter', () => {
    expect(dcHolderValue({ type: 'user', parameter: 'JIRAUSER1', user: { key: 'JIRAUSER1', name: 'ann' }, group: null }, 'name')).toBe('ann');
    expect(dcHolderValue({ type: 'user', parameter: 'JIRAUSER1', user: { key: 'JIRAUSER1', name: 'ann' }, group: null }, 'key')).toBe('JIRAUSER1');
    expect(dcHolderValue({ type: 'group', parameter: 'devs', user: null, group: { name: 'devs' } }, 'name')).toBe('devs');
    expect(dcHolderValue({ type: 'projectRole', parameter: '10002', user: null, group: null }, 'name')).toBe('10002');
    expect(dcHolderValue({ type: 'anyone', parameter: null, user: null, group: null }, 'name')).toBeNull();
  });

  it('builds modules that write deployment data-center, with the credential check first', () => {
    const m = jiraDcModule({ users: 'search', accountIdFrom: 'key' });
    expect(m.deployment).toBe('data-center');
    expect(m.product).toBe('jira-dc');
    expect(jiraDcStreams().map((s) => s.name)).toEqual(['myself', 'server_info', 'groups', 'application_roles', 'project_roles', 'projects', 'permission_schemes', 'settings']);
  });

  it('asks user/list with maxResults (cursorToken limitParam) and sends the cursor back on later pages', () => {
    const users = jiraDcStreams()[1]?.children[0];
    const style = users?.style({ mode: 'list' });
    expect(style?.request(null)).toMatchObject({ path: '/rest/api/2/user/list', query: { maxResults: 1000 } });
    expect(style?.request('1000')).toMatchObject({ query: { cursor: '1000', maxResults: 1000 } });
    expect(jiraDcStreams({ pageSizes: { userSearch: 100 } })[1]?.children[0]?.style({ mode: 'search' }).request(null)).toMatchObject({
      path: '/rest/api/2/user/search',
      query: { username: '.', includeInactive: true, startAt: 0, maxResults: 100 },
    });
  });

  it('picks user/list from Jira 10.3 on, user/search before', () => {
    expect([[11, 0, 0], [10, 3, 0], [10, 2, 9], [9, 12, 15], []].map((v) => hasUserList(v))).toEqual([true, true, false, false, false]);
    const serverInfo = jiraDcStreams()[1];
    expect(serverInfo?.childKey({ version: '9.12.15', versionNumbers: [9, 12, 15] }, null)).toEqual({ mode: 'search' });
    expect(serverInfo?.childKey({ version: '10.3.4', versionNumbers: [10, 3, 4] }, null)).toEqual({ mode: 'list' });
    expect(jiraDcStreams({ users: 'list' })[1]?.childKey({ version: '9.12.15', versionNumbers: [9, 12, 15] }, null)).toEqual({ mode: 'list' });
  });

  it('writes one application-role row per group name, or one with a null group', () => {
    const rows = dcApplicationRoleRows(DcApplicationRole.parse({ key: 'jira-software', name: 'Jira Software', groups: ['jira-software-users', 'devs'], defaultGroups: ['jira-software-users'], numberOfSeats: 10, remainingSeats: 2, userCount: 8, hasUnlimitedSeats: false, platform: false }));
    expect(rows.map((r) => [r.group_id, r.is_default_group])).toEqual([['jira-software-users', true], ['devs', false]]);
    expect(dcApplicationRoleRows(DcApplicationRole.parse({ key: 'jira-core', name: 'Jira Core', groups: [], platform: true }))).toEqual([
      { role_key: 'jira-core', name: 'Jira Core', number_of_seats: null, remaining_seats: null, user_count: null, has_unlimited_seats: null, platform: true, group_id: null, group_name: null, is_default_group: false },
    ]);
  });
});
