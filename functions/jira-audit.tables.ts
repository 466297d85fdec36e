import { col, defineTable } from '../shared/schema/table.ts';

export const jiraAuditRecords = defineTable({
  name: 'jira_audit_records',
  description:
    "Jira audit record (GET /rest/api/3/auditing/record): who changed what, when. Collected incrementally: each day's partition holds the records first seen that day, so every record is stored once across days.",
  key: ['event_id'],
  columns: {
    event_id: col.string().describe('AuditRecordBean.id'),
    event_time: col.timestamp().describe('created'),
    actor_account_id: col.string().nullable().describe('authorAccountId; null for system changes'),
    action: col.string().describe('summary, e.g. "User added to group"'),
    category: col.string().nullable().describe('e.g. user management, group management, permissions'),
    event_source: col.string().nullable(),
    remote_address: col.string().nullable(),
    object_type: col.string().nullable().describe('objectItem.typeName, e.g. USER, GROUP, PROJECT_ROLE, PERMISSION_SCHEME'),
    object_id: col.string().nullable(),
    object_name: col.string().nullable(),
    associated_items: col.stringArray().describe('associatedItems as "typeName:id:name"'),
    changed_values: col.stringArray().describe('changedValues as "fieldName: changedFrom -> changedTo"'),
    affected_account_ids: col.stringArray().describe('ids of the USER items (object and associated): the principals the record is about'),
    group_ids: col.stringArray().describe('ids (else names) of the GROUP items'),
    resource_ids: col.stringArray().describe('ids of the PROJECT items'),
  },
});
