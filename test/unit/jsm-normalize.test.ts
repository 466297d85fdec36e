import { describe, expect, it } from 'vitest';
import { jsmStreams } from '../../functions/jsm.ts';
import { jsmCustomers } from '../../functions/jsm.tables.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const streams = jsmStreams({ agentRoles: ['Service Desk Team', 'Agents'] });

const stream = (name: string) => findStream(streams, name);
const read = (name: string, body: unknown, parent: unknown = null, cursor: unknown = null) => readPage(stream(name), body, { parent, cursor });
const rowsOf = (name: string, body: unknown, parent: unknown = null) => read(name, body, parent).rows;

const desk = { desk: '7', project: '10007', projectKey: 'HELP' };
const paged = (values: unknown[], isLastPage: boolean, extra: Record<string, unknown> = {}) => ({ size: values.length, start: 0, limit: 100, isLastPage, values, _links: {}, ...extra });

describe('JSM payload normalization', () => {
  it('keeps customers with hidden e-mails, unicode names and inactive accounts', () => {
    const rows = rowsOf(
      'customers',
      paged(
        [
          { accountId: 'qm:1', displayName: 'Zoë Ångström 山田 🚀', emailAddress: 'zoe@acme.test', active: true, timeZone: 'Europe/Berlin' },
          { accountId: 'qm:2', displayName: 'Hidden', active: false },
          { accountId: 'qm:3', emailAddress: null },
        ],
        true,
      ),
      desk,
    );
    expect(rows).toEqual([
      { table: 'jsm_customers', service_desk_id: '7', account_id: 'qm:1', display_name: 'Zoë Ångström 山田 🚀', email_address: 'zoe@acme.test', active: true, time_zone: 'Europe/Berlin' },
      { table: 'jsm_customers', service_desk_id: '7', account_id: 'qm:2', display_name: 'Hidden', email_address: null, active: false, time_zone: null },
      { table: 'jsm_customers', service_desk_id: '7', account_id: 'qm:3', display_name: null, email_address: null, active: null, time_zone: null },
    ]);
    for (const r of rows) {
      const { table: _t, ...cols } = r;
      expect(jsmCustomers.schema.safeParse({ ...cols, site: 's', collected_at: '2026-11-28T00:00:00.000Z' }).success).toBe(true);
    }
  });

  it('never treats size < limit as the end (Q5): only isLastPage ends a list', () => {
    const capped = read('service_desks', paged([{ id: 1, projectId: 10000, projectKey: 'IT', projectName: 'IT' }], false, { limit: 100 }));
    expect(capped.next).toEqual({ startAt: 1 });
    const last = read('service_desks', paged([{ id: 2, projectId: '10001', projectKey: 'HR', projectName: 'HR' }], true), null, { startAt: 1 });
    expect(last.next).toBeNull();
    const empty = read('service_desks', paged([], false));
    expect(empty.next).toBeNull();
  });

  it('sends start/limit, the experimental opt-in on customers only, and names the permission', () => {
    const req = stream('customers').style(desk as never).request({ startAt: 50 });
    expect(req.path).toBe('/rest/servicedeskapi/servicedesk/7/customer');
    expect(req.query).toMatchObject({ start: 50, limit: 100 });
    expect(req.headers).toEqual({ 'X-ExperimentalApi': 'opt-in' });
    expect(req.requires).toMatch(/customers/);
    expect(stream('service_desk_organizations').style(desk as never).request(null).headers).toBeUndefined();
  });

  it('maps organizations (created.iso8601, scimManaged) and desk links', () => {
    expect(rowsOf('organizations', paged([{ id: '3', uuid: 'u-3', name: 'Müller GmbH', scimManaged: true, created: { iso8601: '2024-01-01T00:00:00+0000', epochMillis: 1 } }, { id: 4, name: 'Bare' }], true))).toEqual([
      { table: 'jsm_organizations', organization_id: '3', uuid: 'u-3', name: 'Müller GmbH', scim_managed: true, created: '2024-01-01T00:00:00+0000' },
      { table: 'jsm_organizations', organization_id: '4', uuid: null, name: 'Bare', scim_managed: null, created: null },
    ]);
    expect(rowsOf('service_desk_organizations', paged([{ id: '3', name: 'Müller GmbH' }], true), desk)).toEqual([
      { table: 'jsm_service_desk_organizations', service_desk_id: '7', organization_id: '3', organization_name: 'Müller GmbH' },
    ]);
  });

  it('follows only the configured agent roles and maps user and group actors', () => {
    const roles = read('agent_roles', { Administrators: 'https://x/rest/api/3/project/10007/role/10002', 'Service Desk Team': 'https://x/rest/api/3/project/10007/role/10100', agents: 'https://x/rest/api/3/project/10007/role/10200/' }, desk);
    expect(roles.items).toEqual([
      { name: 'Service Desk Team', id: '10100' },
      { name: 'agents', id: '10200' },
    ]);
    const parent = { ...desk, role: '10100', name: 'Service Desk Team' };
    expect(
      rowsOf(
        'agent_role_actors',
        { id: 10100, name: 'Service Desk Team', actors: [{ type: 'atlassian-user-role-actor', actorUser: { accountId: 'a1' } }, { type: 'atlassian-group-role-actor', name: 'agents', actorGroup: { name: 'agents', groupId: 'g1' } }, { type: 'unknown-actor' }] },
        parent,
      ),
    ).toEqual([
      { table: 'jsm_agents', service_desk_id: '7', project_id: '10007', project_key: 'HELP', role_id: '10100', role_name: 'Service Desk Team', actor_type: 'user', account_id: 'a1', group_id: null, group_name: null },
      { table: 'jsm_agents', service_desk_id: '7', project_id: '10007', project_key: 'HELP', role_id: '10100', role_name: 'Service Desk Team', actor_type: 'group', account_id: null, group_id: 'g1', group_name: 'agents' },
    ]);
  });

  it('rejects payloads the spec does not describe, naming the field', () => {
    expect(() => read('customers', paged([{ displayName: 'no id' }], true), desk)).toThrow(PayloadError);
    expect(() => read('customers', paged([{ displayName: 'no id' }], true), desk)).toThrow(/values\[0\]\.accountId/);
    expect(() => read('service_desks', { isLastPage: true })).toThrow(PayloadError);
  });
});
