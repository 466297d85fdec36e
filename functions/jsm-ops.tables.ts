import { z } from 'zod';
import { col, defineTable } from '../shared/schema/table.ts';
import { opsgenieSharedColumns } from './opsgenie.tables.ts';

// Output tables of the Jira Service Management operations collector (Opsgenie's successor). Keys and names
// are a public contract (issue 6); add columns freely, never rename or retype one.
//
// Where the concept is Opsgenie's, the columns are Opsgenie's (same names, same types, same meaning), so
// `SELECT ... FROM opsgenie_schedules UNION ALL SELECT ... FROM jsm_ops_schedules` reads an organization
// before, during and after its migration; each table has a `source` column (always 'jsm-ops'; select
// `'opsgenie' AS source` on the Opsgenie side) to tell the halves apart in such a union. Differences that remain: JSM operations
// teams are Atlassian teams and users are Atlassian accounts, so ids here are account ids and team ids of
// the Teams API, not Opsgenie's UUIDs, and the API returns ids without names (`*_name` columns are null
// where Opsgenie gave a name).

const source = z.enum(['jsm-ops']).describe("always 'jsm-ops': a union with opsgenie_* selects 'opsgenie' AS source there");

export const jsmOpsTeams = defineTable({
  name: 'jsm_ops_teams',
  description: 'Atlassian team of the organization (Teams API): the teams JSM operations schedules, escalations, heartbeats and integrations belong to.',
  key: ['team_id'],
  columns: {
    source,
    team_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    state: col.string().nullable().describe('ACTIVE | DISBANDED | PURGED (Teams API)'),
  },
});

export const jsmOpsTeamMembers = defineTable({
  name: 'jsm_ops_team_members',
  description: 'Member of a team (Teams API), by Atlassian account id (same columns as opsgenie_team_members).',
  key: ['team_id', 'user_id'],
  columns: {
    source,
    team_id: col.string(),
    team_name: col.string(),
    user_id: col.string().describe('Atlassian account id (join to the directory and the other products on it)'),
    username: col.string().nullable().describe('null: the Teams API gives account ids only'),
    role: col.string().nullable().describe('null: the Teams API does not say who administers the team'),
  },
});

export const jsmOpsTeamRoles = defineTable({
  name: 'jsm_ops_team_roles',
  description: 'Custom team role of a team: the operations rights it grants and denies (Opsgenie: custom team roles).',
  key: ['team_id', 'role_id'],
  columns: {
    source,
    team_id: col.string(),
    role_id: col.string(),
    name: col.string(),
    granted_rights: col.stringArray(),
    disallowed_rights: col.stringArray(),
  },
});

export const jsmOpsCustomRoles = defineTable({
  name: 'jsm_ops_custom_roles',
  description: 'Custom user role: the default role it extends and the rights it adds or removes (same columns as opsgenie_custom_roles).',
  key: ['role_id'],
  columns: { source, ...opsgenieSharedColumns.customRoles },
});

export const jsmOpsSchedules = defineTable({
  name: 'jsm_ops_schedules',
  description: 'On-call schedule and the team that owns it (same columns as opsgenie_schedules; owner_team_name is null: the API gives the id only).',
  key: ['schedule_id'],
  columns: { source, ...opsgenieSharedColumns.schedules },
});

const participantType = z.enum(['user', 'team', 'escalation', 'schedule', 'none']);

export const jsmOpsScheduleParticipants = defineTable({
  name: 'jsm_ops_schedule_participants',
  description: 'Participant of a schedule rotation, in rotation order (same columns as opsgenie_schedule_participants).',
  key: ['schedule_id', 'rotation_id', 'position'],
  columns: {
    source,
    schedule_id: col.string(),
    rotation_id: col.string(),
    rotation_name: col.string().nullable(),
    rotation_type: col.string().nullable().describe('daily | weekly | hourly'),
    position: col.int().describe('0-based place in the rotation'),
    participant_type: participantType.describe('user | team | escalation | none (an empty slot)'),
    participant_id: col.string().nullable().describe("a user's Atlassian account id, or the team's or escalation's id; null for none"),
    participant_name: col.string().nullable().describe('null: the API gives ids only (join to the directory on the account id)'),
  },
});

export const jsmOpsEscalations = defineTable({
  name: 'jsm_ops_escalations',
  description: 'Escalation policy of a team (same columns as opsgenie_escalations, plus enabled).',
  key: ['escalation_id'],
  columns: { source, ...opsgenieSharedColumns.escalations, enabled: col.bool().nullable() },
});

export const jsmOpsEscalationRecipients = defineTable({
  name: 'jsm_ops_escalation_recipients',
  description: 'Rule of an escalation: who is notified, when, and on which condition (same columns as opsgenie_escalation_recipients).',
  key: ['escalation_id', 'rule_index'],
  columns: {
    source,
    escalation_id: col.string(),
    rule_index: col.int().describe('0-based place of the rule in the escalation'),
    condition: col.string().nullable().describe('if-not-acked | if-not-closed'),
    notify_type: col.string().nullable().describe('default | next | previous | users | admins | random | all'),
    delay_minutes: col.int().nullable().describe('delay of the rule in minutes (the reference gives a bare number; minutes as in the JSM UI)'),
    recipient_type: participantType.describe('user | team | schedule'),
    recipient_id: col.string().nullable(),
    recipient_name: col.string().nullable().describe('null: the API gives ids only'),
  },
});

export const jsmOpsIntegrations = defineTable({
  name: 'jsm_ops_integrations',
  description: 'Integration (API, email, monitoring tool...): each holds an API key, so each is non-human access. The key itself is never collected.',
  key: ['integration_id'],
  columns: {
    source,
    integration_id: col.string(),
    name: col.string(),
    type: col.string().nullable().describe('integration type, e.g. API, Email, Datadog'),
    enabled: col.bool().nullable(),
    owner_team_id: col.string().nullable().describe('null: a global (site-level) integration'),
  },
});

export const jsmOpsHeartbeats = defineTable({
  name: 'jsm_ops_heartbeats',
  description: 'Heartbeat of a team: a monitored service that pings JSM and alerts the team when it stops.',
  key: ['owner_team_id', 'name'],
  columns: {
    source,
    owner_team_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    enabled: col.bool().nullable(),
    interval: col.int().nullable(),
    interval_unit: col.string().nullable().describe('minutes | hours | days'),
    status: col.string().nullable(),
  },
});

/** Every JSM operations output table, in collection order. */
export const jsmOpsTables = [
  jsmOpsCustomRoles,
  jsmOpsSchedules,
  jsmOpsScheduleParticipants,
  jsmOpsIntegrations,
  jsmOpsTeams,
  jsmOpsTeamMembers,
  jsmOpsTeamRoles,
  jsmOpsEscalations,
  jsmOpsEscalationRecipients,
  jsmOpsHeartbeats,
] as const;
