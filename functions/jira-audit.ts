import { z } from 'zod';
import { offset } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { jiraAuditRecords } from './jira-audit.tables.ts';
import { auditTime } from './audit-common.ts';

// Jira's audit records, read incrementally (shared/engine/incremental.ts). Authority: The Jira Cloud platform REST
// API, GET /rest/api/3/auditing/record (operation getAuditRecords, schema AuditRecords / AuditRecordBean).
//
// What the API cannot give: records carry no account id for the object or associated items unless the item is a
// user (its `id` is then the account id); `from`/`to` are documented as "date and time" without a format (ISO-8601
// UTC is sent, unverified); no maximum `limit` is published (1000, the default, is asked); records are kept for the
// site's audit retention (Jira: at most 10 years on Enterprise, 90 days to 1 year on other paid plans; the Free plan
// has none: the endpoint answers 403 "all Jira products are on free plans").


/** Days Jira keeps audit records on the shortest paid plan with audit log (Standard: 90 days). */
export const JIRA_AUDIT_RETENTION_DAYS = 90;

const JIRA_AUDIT = "the 'Administer Jira' global permission (OAuth scope read:audit-log:jira or manage:jira-configuration) and a paid Jira plan (audit records are not available when every Jira product is on the Free plan)";

const str = z.string().nullish().transform((v) => v ?? null);
const Item = z.object({ id: str, name: str, typeName: str, parentId: str, parentName: str });
const Record = z.object({
  id: z.union([z.int(), z.string()]).transform((v) => String(v)),
  created: auditTime,
  authorAccountId: str,
  summary: z.string(),
  category: str,
  eventSource: str,
  remoteAddress: str,
  objectItem: Item.nullish().transform((v) => v ?? null),
  associatedItems: z.array(Item).nullish().transform((v) => v ?? []),
  changedValues: z.array(z.object({ fieldName: str, changedFrom: str, changedTo: str })).nullish().transform((v) => v ?? []),
});
type AuditRecord = z.infer<typeof Record>;

const EnvelopeTotal = z.object({ total: z.int().optional() });

export const jiraAuditStream: Stream = defineStream<null, AuditRecord>({
  name: 'audit_records',
  style: (_p, w) =>
    offset({
      path: '/rest/api/3/auditing/record',
      query: { from: w.from, to: w.to },
      pageSize: 1000,
      startParam: 'offset',
      limitParam: 'limit',
      itemsField: 'records',
      limitField: 'limit',
      item: Record,
      key: (r) => r.id,
      requires: JIRA_AUDIT,
      isEnd: (body, received, startAt) => {
        const t = EnvelopeTotal.safeParse(body);
        return t.success && t.data.total !== undefined && startAt + received >= t.data.total;
      },
    }),
  incremental: { id: (r) => r.id, time: (r) => r.created, retentionDays: JIRA_AUDIT_RETENTION_DAYS },
  optional: true,
  rows: (r) => {
    const items = [...(r.objectItem ? [r.objectItem] : []), ...r.associatedItems];
    const of = (type: string) => [...new Set(items.filter((i) => i.typeName?.toUpperCase() === type).map((i) => i.id ?? i.name).filter((v): v is string => v !== null))];
    return [
      row(jiraAuditRecords, {
        event_id: r.id,
        event_time: r.created,
        actor_account_id: r.authorAccountId,
        action: r.summary,
        category: r.category,
        event_source: r.eventSource,
        remote_address: r.remoteAddress,
        object_type: r.objectItem?.typeName ?? null,
        object_id: r.objectItem?.id ?? null,
        object_name: r.objectItem?.name ?? null,
        associated_items: r.associatedItems.map((i) => `${i.typeName ?? ''}:${i.id ?? ''}:${i.name ?? ''}`),
        changed_values: r.changedValues.map((c) => `${c.fieldName ?? ''}: ${c.changedFrom ?? ''} -> ${c.changedTo ?? ''}`),
        affected_account_ids: of('USER'),
        group_ids: of('GROUP'),
        resource_ids: of('PROJECT'),
      }),
    ];
  },
});

export { jiraAuditRecords };
