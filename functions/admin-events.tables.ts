import { col, defineTable } from '../shared/schema/table.ts';

export const adminAuditEvents = defineTable({
  name: 'admin_audit_events',
  description:
    "Organization audit log event (GET /admin/v1/orgs/{orgId}/events): who did what, when, to which users, groups and sites. Collected incrementally: each day's partition holds the events first seen that day, so every event is stored once across days.",
  key: ['event_id'],
  columns: {
    event_id: col.string(),
    event_time: col.timestamp().describe('attributes.time'),
    actor_account_id: col.string().nullable().describe('attributes.actor.id'),
    actor_name: col.string().nullable(),
    actor_auth: col.string().nullable().describe('attributes.actor.auth.authType, e.g. api-token; with the token id when given'),
    action: col.string().describe('attributes.action, e.g. user_added_to_group (the list: GET /v1/orgs/{orgId}/event-actions)'),
    ip: col.string().nullable().describe('attributes.location.ip'),
    context: col.stringArray().describe('what the action was performed against, as "type:id"'),
    container: col.stringArray().describe('where the action was performed, as "type:id"'),
    affected_account_ids: col.stringArray().describe('ids of the context objects of type users'),
    group_ids: col.stringArray().describe('ids of the context objects of type groups'),
    resource_ids: col.stringArray().describe('ids of the context and container objects of type sites or products'),
  },
});
