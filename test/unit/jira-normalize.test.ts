import { describe, expect, it } from 'vitest';
import { jiraStreams } from '../../functions/jira.ts';
import { jiraUsers } from '../../functions/jira.tables.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const stream = (name: string) => findStream(jiraStreams, name);
const rowsOf = (name: string, body: unknown, parent: unknown = null) => readPage(stream(name), body, { parent }).rows;

describe('Jira payload normalization', () => {
  it('keeps users with a hidden e-mail, unicode names and app accounts', () => {
    const rows = rowsOf('users', [
      { accountId: '5b10a2844c20165700ede21g', accountType: 'atlassian', displayName: 'Zoë Ångström 山田 🚀', active: true, emailAddress: 'zoe@acme.test', locale: 'sv_SE', timeZone: 'Europe/Stockholm' },
      { accountId: '712020:0a1b', accountType: 'atlassian', displayName: 'Hidden Person', active: false },
      { accountId: '557058:bot', accountType: 'app', appType: 'service', displayName: 'Automation for Jira', active: true, emailAddress: null },
    ]);
    expect(rows).toEqual([
      { table: 'jira_users', account_id: '5b10a2844c20165700ede21g', account_type: 'atlassian', display_name: 'Zoë Ångström 山田 🚀', email_address: 'zoe@acme.test', active: true, app_type: null, guest: null, locale: 'sv_SE', time_zone: 'Europe/Stockholm' },
      { table: 'jira_users', account_id: '712020:0a1b', account_type: 'atlassian', display_name: 'Hidden Person', email_address: null, active: false, app_type: null, guest: null, locale: null, time_zone: null },
      { table: 'jira_users', account_id: '557058:bot', account_type: 'app', display_name: 'Automation for Jira', email_address: null, active: true, app_type: 'service', guest: null, locale: null, time_zone: null },
    ]);
    for (const r of rows) {
      const { table: _t, ...cols } = r;
      expect(jiraUsers.schema.safeParse({ ...cols, site: 's', collected_at: '2026-11-28T00:00:00.000Z' }).success).toBe(true);
    }
  });

  it('fails on a user without accountId, naming the field', () => {
    expect(() => rowsOf('users', [{ displayName: 'x', active: true }])).toThrow(PayloadError);
    expect(() => rowsOf('users', [{ displayName: 'x', active: true }])).toThrow(/'\[0\]\.accountId'/);
  });

  it('writes one row per group of an application role, and one null-group row for a role without groups', () => {
    const rows = rowsOf('application_roles', [
      { key: 'jira-software', name: 'Jira', groupDetails: [{ groupId: 'g1', name: 'jira-users' }, { groupId: 'g2', name: 'devs' }], defaultGroupsDetails: [{ groupId: 'g1', name: 'jira-users' }], numberOfSeats: 10, remainingSeats: 3, userCount: 7, hasUnlimitedSeats: false, platform: false },
      { key: 'jira-core', name: 'Jira Work Management', groupDetails: [], platform: true },
    ]);
    expect(rows.map((r) => [r.role_key, r.group_id, r.is_default_group])).toEqual([
      ['jira-software', 'g1', true],
      ['jira-software', 'g2', false],
      ['jira-core', null, false],
    ]);
  });

  it('reads the project role map: role id is the last URL segment', () => {
    const s = stream('project_roles_of_project');
    const { items } = s.style({ id: '10000' } as never).read(
      { status: 200, body: { Administrators: 'https://acme.atlassian.net/rest/api/3/project/10000/role/10002', Developers: 'https://acme.atlassian.net/rest/api/3/project/10000/role/10001' }, headers: {} },
      null,
      'GET /test',
    );
    expect(items.map((i) => s.childKey(i, { id: '10000', key: 'PAY' } as never))).toEqual([
      { project: '10000', projectKey: 'PAY', role: '10002', name: 'Administrators' },
      { project: '10000', projectKey: 'PAY', role: '10001', name: 'Developers' },
    ]);
  });

  it('maps user and group role actors, ids as strings', () => {
    const rows = rowsOf(
      'project_role_actors',
      { id: 10002, name: 'Administrators', actors: [
        { id: 1, type: 'atlassian-user-role-actor', displayName: 'A', actorUser: { accountId: 'acc-1' } },
        { id: 2, type: 'atlassian-group-role-actor', displayName: 'admins', name: 'admins', actorGroup: { name: 'admins', displayName: 'admins', groupId: 'gid-9' } },
      ] },
      { project: '10000', projectKey: 'PAY', role: '10002', name: 'Administrators' },
    );
    expect(rows).toEqual([
      { table: 'jira_project_role_actors', project_id: '10000', project_key: 'PAY', role_id: '10002', role_name: 'Administrators', actor_type: 'user', account_id: 'acc-1', group_id: null, group_name: null },
      { table: 'jira_project_role_actors', project_id: '10000', project_key: 'PAY', role_id: '10002', role_name: 'Administrators', actor_type: 'group', account_id: null, group_id: 'gid-9', group_name: 'admins' },
    ]);
  });

  it('keeps grants without a holder parameter (anyone, projectLead) with nulls', () => {
    const rows = rowsOf('permission_schemes', { permissionSchemes: [{ id: 10000, name: 'Default', permissions: [
      { id: 1, permission: 'BROWSE_PROJECTS', holder: { type: 'anyone' } },
      { id: 2, permission: 'ADMINISTER_PROJECTS', holder: { type: 'group', parameter: 'admins', value: 'gid-9' } },
    ] }] });
    expect(rows).toEqual([
      { table: 'jira_permission_schemes', scheme_id: '10000', name: 'Default', description: null },
      { table: 'jira_permission_grants', scheme_id: '10000', grant_id: '1', permission: 'BROWSE_PROJECTS', holder_type: 'anyone', holder_parameter: null, holder_value: null },
      { table: 'jira_permission_grants', scheme_id: '10000', grant_id: '2', permission: 'ADMINISTER_PROJECTS', holder_type: 'group', holder_parameter: 'admins', holder_value: 'gid-9' },
    ]);
  });
});
