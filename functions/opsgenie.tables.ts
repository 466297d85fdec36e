import { z } from 'zod';
import { col, defineTable } from '../shared/schema/table.ts';

// Output tables of the Opsgenie collector. Keys and names are a public contract (issue 6); add columns
// freely, never rename or retype one. Opsgenie ids are UUIDs of Opsgenie's own: a user's `user_id` is not the
// Atlassian account id; join to the other products on `username` (the user's e-mail address).

export const opsgenieUsers = defineTable({
  name: 'opsgenie_users',
  description: 'User of the Opsgenie account, with their account role (owner, admin, user, observer, stakeholder or a custom role).',
  key: ['user_id'],
  columns: {
    user_id: col.string(),
    username: col.string().describe("the user's e-mail address (Opsgenie: \"E-mail address of the user\")"),
    full_name: col.string().nullable(),
    role_id: col.string().nullable().describe('id of the role; for a custom role the id in opsgenie_custom_roles'),
    role_name: col.string().nullable().describe('Owner, Admin, User, Observer, Stakeholder, or the name of a custom role'),
    blocked: col.bool().nullable().describe('the user is blocked and cannot log in'),
    verified: col.bool().nullable().describe('the user confirmed their e-mail address'),
    time_zone: col.string().nullable(),
    locale: col.string().nullable(),
    created_at: col.timestamp().nullable(),
  },
});

export const opsgenieTeams = defineTable({
  name: 'opsgenie_teams',
  description: 'Team of the Opsgenie account.',
  key: ['team_id'],
  columns: {
    team_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
  },
});

export const opsgenieTeamMembers = defineTable({
  name: 'opsgenie_team_members',
  description: 'Member of a team with their team role (admin, user, or a custom team role). A team deleted after the listing has no rows.',
  key: ['team_id', 'user_id'],
  columns: {
    team_id: col.string(),
    team_name: col.string(),
    user_id: col.string(),
    username: col.string().nullable(),
    role: col.string().nullable().describe('admin | user | the name of a custom team role'),
  },
});

/**
 * The columns JSM operations repeats to the letter in its table of the same concept (jsm-ops.tables.ts), so that
 * a UNION ALL reads an organization across its migration: one definition keeps the two halves alike.
 */
export const opsgenieSharedColumns = {
  customRoles: {
    role_id: col.string(),
    name: col.string(),
    extended_role: col.string().nullable().describe('user | observer | stakeholder'),
    granted_rights: col.stringArray(),
    disallowed_rights: col.stringArray(),
  },
  schedules: {
    schedule_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    enabled: col.bool().nullable(),
    timezone: col.string().nullable(),
    owner_team_id: col.string().nullable(),
    owner_team_name: col.string().nullable(),
  },
  escalations: {
    escalation_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    owner_team_id: col.string().nullable(),
    owner_team_name: col.string().nullable(),
  },
};

export const opsgenieCustomRoles = defineTable({
  name: 'opsgenie_custom_roles',
  description: 'Custom user role: the default role it extends and the rights it adds or removes.',
  key: ['role_id'],
  columns: opsgenieSharedColumns.customRoles,
});

export const opsgenieSchedules = defineTable({
  name: 'opsgenie_schedules',
  description: 'On-call schedule and the team that owns it (null: a global schedule).',
  key: ['schedule_id'],
  columns: opsgenieSharedColumns.schedules,
});

const participantType = z.enum(['user', 'team', 'escalation', 'group', 'schedule', 'none']);

export const opsgenieScheduleParticipants = defineTable({
  name: 'opsgenie_schedule_participants',
  description: 'Participant of a schedule rotation, in rotation order (a participant may appear more than once).',
  key: ['schedule_id', 'rotation_id', 'position'],
  columns: {
    schedule_id: col.string(),
    rotation_id: col.string(),
    rotation_name: col.string().nullable(),
    rotation_type: col.string().nullable().describe('daily | weekly | hourly'),
    position: col.int().describe('0-based place in the rotation'),
    participant_type: participantType.describe('user | team | escalation | none (an empty slot)'),
    participant_id: col.string().nullable().describe('null for none'),
    participant_name: col.string().nullable().describe("a user's username, or the team's or escalation's name"),
  },
});

export const opsgenieEscalations = defineTable({
  name: 'opsgenie_escalations',
  description: 'Escalation policy and the team that owns it (null: a global escalation).',
  key: ['escalation_id'],
  columns: opsgenieSharedColumns.escalations,
});

export const opsgenieEscalationRecipients = defineTable({
  name: 'opsgenie_escalation_recipients',
  description: 'Rule of an escalation: who is notified, when, and on which condition.',
  key: ['escalation_id', 'rule_index'],
  columns: {
    escalation_id: col.string(),
    rule_index: col.int().describe('0-based place of the rule in the escalation'),
    condition: col.string().nullable().describe('if-not-acked | if-not-closed'),
    notify_type: col.string().nullable().describe('default | next | previous | users | admins | random | all'),
    delay_minutes: col.int().nullable().describe('delay of the rule, converted to minutes'),
    recipient_type: participantType.describe('user | team | schedule'),
    recipient_id: col.string().nullable(),
    recipient_name: col.string().nullable().describe("a user's username, or the team's or schedule's name"),
  },
});

/** Every Opsgenie output table, in collection order. */
export const opsgenieTables = [
  opsgenieUsers,
  opsgenieTeams,
  opsgenieTeamMembers,
  opsgenieCustomRoles,
  opsgenieSchedules,
  opsgenieScheduleParticipants,
  opsgenieEscalations,
  opsgenieEscalationRecipients,
] as const;
