import { z } from 'zod';
import { nextLink, parsePayload } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { adminAuditEvents } from './admin-events.tables.ts';
import { auditTime, epochMs } from './audit-common.ts';

// The organization's audit log, read incrementally (shared/engine/incremental.ts). Authority: The Atlassian Admin
// REST API (organizations), GET /v1/orgs/{orgId}/events (operation getEvents, schemas EventPage / EventModel /
// EventActorModel / EventObjectModel): `from`/`to` as epoch milliseconds, `limit` 1..500 (default 30), `cursor`;
// scope read:events:admin; 10 requests per minute per user and per path (since end of May 2025).
//
// What the API cannot give: the plan decides whether there is an audit log at all (a paid feature: 403 or 404
// elsewhere, facts sheet §7e); `context` and `container` objects carry an id and a type whose values are not
// enumerated in the spec, so affected accounts, groups and sites are read from the types `users`/`user`,
// `groups`/`group` and `sites`/`site`/`products` (unverified); `message` is encrypted and not stored.


/** Days the first run reads back at most: the organization audit log keeps 180 days (Atlassian Guard Standard). */
export const ADMIN_EVENTS_RETENTION_DAYS = 180;
export const ADMIN_EVENTS_PAGE = 500;

const EVENTS = 'the scope read:events:admin on the organization admin API key, on a plan with the organization audit log (Atlassian Guard)';

const str = z.string().nullish().transform((v) => v ?? null);
const Obj = z.object({ id: z.string(), type: z.string().nullish().transform((v) => v ?? '') });
const Event = z.object({
  id: z.string(),
  attributes: z.object({
    time: auditTime,
    action: z.string(),
    actor: z.object({ id: z.string(), name: str, auth: z.object({ authType: z.string(), tokenId: str }).nullish().transform((v) => v ?? null) }),
    context: z.array(Obj).nullish().transform((v) => v ?? []),
    container: z.array(Obj).nullish().transform((v) => v ?? []),
    location: z.object({ ip: str }).nullish().transform((v) => v ?? null),
  }),
});
type AuditEvent = z.infer<typeof Event>;

const Page = z.object({ data: z.array(z.unknown()).nullish(), links: z.object({ next: z.string().nullish() }).nullish(), meta: z.object({ next: z.string().nullish() }).nullish() });

const typed = (objs: readonly { id: string; type: string }[], ...types: string[]) => [...new Set(objs.filter((o) => types.includes(o.type.toLowerCase())).map((o) => o.id))];

/** The stream for one organization (its path names the org). */
export function adminEventsStream(org: string): Stream {
  const path = `/admin/v1/orgs/${org}/events`;
  return defineStream<null, AuditEvent>({
    name: 'audit_events',
    // `links.next` is "URL to fetch the Next Page" (LinkPageModel); `meta.next` the bare cursor: either is followed.
    style: (_p, w) =>
      nextLink({
        path,
        query: { from: epochMs(w.from), to: epochMs(w.to) },
        pageSizeParam: 'limit',
        pageSize: ADMIN_EVENTS_PAGE,
        itemsField: 'data',
        item: Event,
        key: (e) => e.id,
        items: (b, e) => parsePayload(Page, b, e).data ?? [],
        next: (r, e) => {
          const p = parsePayload(Page, r.body, e);
          const link = p.links?.next || undefined;
          if (link) return link;
          const c = p.meta?.next || undefined;
          return c ? `${path}?cursor=${encodeURIComponent(c)}&limit=${ADMIN_EVENTS_PAGE}` : undefined;
        },
        requires: EVENTS,
      }),
    incremental: { id: (e) => e.id, time: (e) => e.attributes.time, retentionDays: ADMIN_EVENTS_RETENTION_DAYS },
    optional: true,
    rows: (e) => {
      const a = e.attributes;
      return [
        row(adminAuditEvents, {
          event_id: e.id,
          event_time: a.time,
          actor_account_id: a.actor.id,
          actor_name: a.actor.name,
          actor_auth: a.actor.auth ? `${a.actor.auth.authType}${a.actor.auth.tokenId ? `:${a.actor.auth.tokenId}` : ''}` : null,
          action: a.action,
          ip: a.location?.ip ?? null,
          context: a.context.map((o) => `${o.type}:${o.id}`),
          container: a.container.map((o) => `${o.type}:${o.id}`),
          affected_account_ids: typed(a.context, 'users', 'user'),
          group_ids: typed(a.context, 'groups', 'group'),
          resource_ids: typed([...a.context, ...a.container], 'sites', 'site', 'products', 'product'),
        }),
      ];
    },
  });
}

export { adminAuditEvents };
