import { z } from 'zod';
import { col, defineTable } from '../shared/schema/table.ts';

// Output tables of the Jira Service Management collector (issue 6). Keys and names are a public contract:
// add columns freely, never rename or retype one.

export const jsmServiceDesks = defineTable({
  name: 'jsm_service_desks',
  description: 'Service desk (one per JSM project) the collecting account can access.',
  key: ['service_desk_id'],
  columns: {
    service_desk_id: col.string(),
    project_id: col.string(),
    project_key: col.string(),
    project_name: col.string(),
  },
});

export const jsmCustomers = defineTable({
  name: 'jsm_customers',
  description: '(service desk, customer): an account that can raise requests on the desk. Customers of the desk\'s organizations are not listed here (see jsm_organization_members).',
  key: ['service_desk_id', 'account_id'],
  columns: {
    service_desk_id: col.string(),
    account_id: col.string(),
    display_name: col.string().nullable(),
    email_address: col.string().nullable().describe('null when the profile hides it'),
    active: col.bool().nullable(),
    time_zone: col.string().nullable(),
  },
});

export const jsmOrganizations = defineTable({
  name: 'jsm_organizations',
  description: 'Customer organization.',
  key: ['organization_id'],
  columns: {
    organization_id: col.string(),
    uuid: col.string().nullable(),
    name: col.string(),
    scim_managed: col.bool().nullable(),
    created: col.string().nullable().describe('ISO 8601 as the API gives it (created.iso8601)'),
  },
});

export const jsmOrganizationMembers = defineTable({
  name: 'jsm_organization_members',
  description: '(organization, member) pair.',
  key: ['organization_id', 'account_id'],
  columns: {
    organization_id: col.string(),
    account_id: col.string(),
    display_name: col.string().nullable(),
    email_address: col.string().nullable().describe('null when the profile hides it'),
    active: col.bool().nullable(),
  },
});

export const jsmServiceDeskOrganizations = defineTable({
  name: 'jsm_service_desk_organizations',
  description: '(service desk, organization): the organization\'s members are customers of the desk.',
  key: ['service_desk_id', 'organization_id'],
  columns: {
    service_desk_id: col.string(),
    organization_id: col.string(),
    organization_name: col.string(),
  },
});

export const jsmAgents = defineTable({
  name: 'jsm_agents',
  description:
    'Who can work a desk: a user or a group holding the agent role (default "Service Desk Team") in the desk\'s project. ' +
    'JSM has no agents endpoint; derived from Jira project roles. Expand group actors through jira_group_members.',
  key: ['service_desk_id', 'role_id', 'actor_type', 'account_id', 'group_id'],
  columns: {
    service_desk_id: col.string(),
    project_id: col.string(),
    project_key: col.string(),
    role_id: col.string(),
    role_name: col.string(),
    actor_type: z.enum(['user', 'group']),
    account_id: col.string().nullable(),
    group_id: col.string().nullable(),
    group_name: col.string().nullable(),
  },
});

/** Every JSM output table, in collection order. */
export const jsmTables = [jsmServiceDesks, jsmCustomers, jsmServiceDeskOrganizations, jsmAgents, jsmOrganizations, jsmOrganizationMembers] as const;
