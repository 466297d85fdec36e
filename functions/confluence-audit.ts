import { createHash } from 'node:crypto';
import { z } from 'zod';
import { offset } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { confluenceAuditRecords } from './confluence-audit.tables.ts';
import { auditTime, epochMs } from './audit-common.ts';

// Confluence's audit log, read incrementally (shared/engine/incremental.ts). Authority: The Confluence Cloud REST API
// v1, GET /wiki/rest/api/audit (operation getAuditRecords, schemas AuditRecordArray / AuditRecord / AffectedObject).
//
// What the API cannot give: an AuditRecord has no id, so the key is a hash of the whole record (time, author,
// summary, objects, changed values): two records identical in every field within one millisecond are stored as one.
// Affected and associated objects carry only a name and a type: a user object's name may be an account id or a
// display name (not published), spaces appear by name, so access_changes_explained matches Confluence changes on
// the user's account id or display name and the space's name. The page cap of `limit` is unpublished
// ("may be restricted by fixed system limits"); 1000 is asked and the response's `limit` honoured.


/** Days the first run reads back at most (Confluence keeps its audit log for the retention the site sets: GET /wiki/rest/api/audit/retention). */
export const CONFLUENCE_AUDIT_RETENTION_DAYS = 90;

const CONFLUENCE_AUDIT = "the 'Confluence Administrator' global permission (OAuth scope read:audit-log:confluence) on a plan with an audit log";

const str = z.string().nullish().transform((v) => v ?? null);
const Obj = z.object({ name: z.string(), objectType: z.string() });
const Record = z.object({
  author: z.object({ displayName: str, accountId: str }).nullish().transform((v) => v ?? null),
  remoteAddress: str,
  creationDate: auditTime,
  summary: z.string(),
  description: str,
  category: str,
  sysAdmin: z.boolean().nullish().transform((v) => v ?? null),
  affectedObject: Obj.nullish().transform((v) => v ?? null),
  changedValues: z.array(z.object({ name: z.string(), oldValue: str, newValue: str })).nullish().transform((v) => v ?? []),
  associatedObjects: z.array(Obj).nullish().transform((v) => v ?? []),
});
type AuditRecord = z.infer<typeof Record>;

/** The record's key: a hash of every field the API returns, in a fixed order. */
export function confluenceAuditId(r: AuditRecord): string {
  const canonical = JSON.stringify([
    r.creationDate,
    r.author?.accountId ?? null,
    r.author?.displayName ?? null,
    r.summary,
    r.category,
    r.description,
    r.remoteAddress,
    r.affectedObject,
    r.associatedObjects,
    r.changedValues,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

const V1Page = z.object({ limit: z.int().nullish(), _links: z.record(z.string(), z.unknown()).nullish() }).loose();

export const confluenceAuditStream: Stream = defineStream<null, AuditRecord>({
  name: 'audit_records',
  // Style C1: the end is "no _links.next and fewer than the limit the server applied" (see functions/confluence.ts v1List).
  style: (_p, w) =>
    offset({
      path: '/wiki/rest/api/audit',
      query: { startDate: epochMs(w.from), endDate: epochMs(w.to) },
      pageSize: 1000,
      startParam: 'start',
      limitParam: 'limit',
      itemsField: 'results',
      limitField: 'limit',
      item: Record,
      key: confluenceAuditId,
      requires: CONFLUENCE_AUDIT,
      isEnd: (body, received) => {
        const b = V1Page.safeParse(body);
        const hasNext = b.success && b.data._links?.next !== undefined && b.data._links.next !== null;
        return !hasNext && received < ((b.success ? b.data.limit : null) ?? 1000);
      },
    }),
  incremental: { id: confluenceAuditId, time: (r) => r.creationDate, retentionDays: CONFLUENCE_AUDIT_RETENTION_DAYS },
  optional: true,
  rows: (r) => {
    const names = (t: string) => [...new Set(r.associatedObjects.concat(r.affectedObject ? [r.affectedObject] : []).filter((o) => o.objectType.toLowerCase() === t).map((o) => o.name))];
    return [
      row(confluenceAuditRecords, {
        event_id: confluenceAuditId(r),
        event_time: r.creationDate,
        actor_account_id: r.author?.accountId ?? null,
        actor_name: r.author?.displayName ?? null,
        action: r.summary,
        category: r.category,
        description: r.description,
        remote_address: r.remoteAddress,
        sys_admin: r.sysAdmin,
        object_type: r.affectedObject?.objectType ?? null,
        object_name: r.affectedObject?.name ?? null,
        associated_objects: r.associatedObjects.map((o) => `${o.objectType}:${o.name}`),
        changed_values: r.changedValues.map((c) => `${c.name}: ${c.oldValue ?? ''} -> ${c.newValue ?? ''}`),
        affected_names: names('user'),
        group_names: names('group'),
        resource_names: names('space'),
      }),
    ];
  },
});

export { confluenceAuditRecords };
