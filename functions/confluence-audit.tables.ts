import { col, defineTable } from '../shared/schema/table.ts';

export const confluenceAuditRecords = defineTable({
  name: 'confluence_audit_records',
  description:
    "Confluence audit record (GET /wiki/rest/api/audit): who changed what, when. Collected incrementally: each day's partition holds the records first seen that day, so every record is stored once across days.",
  key: ['event_id'],
  columns: {
    event_id: col.string().describe('sha256 of the record (the API gives no id): stable across reads'),
    event_time: col.timestamp().describe('creationDate'),
    actor_account_id: col.string().nullable().describe('author.accountId'),
    actor_name: col.string().nullable().describe('author.displayName'),
    action: col.string().describe('summary, e.g. "Space permission added"'),
    category: col.string().nullable(),
    description: col.string().nullable(),
    remote_address: col.string().nullable(),
    sys_admin: col.bool().nullable(),
    object_type: col.string().nullable().describe('affectedObject.objectType'),
    object_name: col.string().nullable().describe('affectedObject.name'),
    associated_objects: col.stringArray().describe('associatedObjects as "objectType:name"'),
    changed_values: col.stringArray().describe('changedValues as "name: oldValue -> newValue"'),
    affected_names: col.stringArray().describe('names of the User objects (account id or display name): the principals the record is about'),
    group_names: col.stringArray().describe('names of the Group objects'),
    resource_names: col.stringArray().describe('names of the Space objects'),
  },
});
