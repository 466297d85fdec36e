/**
 * The organization's audit log in the simulated Admin tenant: events, the route, the ground truth, and changes that
 * log themselves (who did it, when).
 *
 * Authority: The Atlassian Admin REST API (organizations), GET /v1/orgs/{orgId}/events (operation getEvents):
 * `from`/`to` "UNIX epoch time in milliseconds", `limit` 1..500 (default 30), `cursor`; EventPage `{data, links
 * {self, next}, meta {next, page_size}}`; 400 InvalidPageCursor. Availability depends on the plan (facts sheet §7e):
 * a plan without the audit log answers 403 here.
 */
import type { adminAuditEvents } from '../functions/admin-events.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { AuditLog, spreadTimes, timeParam, type AuditEvent } from './audit-log.ts';
import { setGroupMember, type AdminGroupRecord, type AdminModel } from './admin/model.ts';
import { uuidFrom } from './random.ts';
import type { RouteContext, RouteResult, RouteTable } from './server.ts';

export interface AdminEventPayload {
  actor: { id: string; name: string };
  action: string;
  ip: string;
  context: { id: string; type: string }[];
  container: { id: string; type: string }[];
}

export type AdminEventLog = AuditLog<AdminEventPayload>;

export interface AdminEventsOptions {
  background?: { count: number; days: number; until: number };
  forbidden?: boolean;
}

export const ADMIN_EVENTS_CAP = 500;

export function adminEventLog(model: AdminModel, opts: AdminEventsOptions = {}): AdminEventLog {
  const log = new AuditLog<AdminEventPayload>(model.seed, (seed, n) => uuidFrom(seed, `event:${n}`));
  log.forbidden = opts.forbidden === true;
  if (opts.background) adminBackground(model, log, opts.background.count, opts.background.until - opts.background.days * 86_400_000, opts.background.until);
  return log;
}

const actor = (model: AdminModel, u: number) => ({ id: model.users.accountId(u), name: model.users.name(u) });

/** Unrelated events (admin logins, policy views, domain checks) at deterministic times in `[from, to]`. */
export function adminBackground(model: AdminModel, log: AdminEventLog, count: number, from: number, to: number): void {
  const actions = ['user_logged_in', 'policy_viewed', 'domain_verification_checked'];
  spreadTimes(model.seed, `admin-events:${from}`, count, from, to).forEach((at, i) =>
    log.append(at, { actor: actor(model, 0), action: actions[i % actions.length]!, ip: '10.0.2.1', context: [], container: [{ id: model.orgId, type: 'orgs' }] }),
  );
}

// The organization's changes between two collections: each changes the directory and logs exactly that change,
// so a test can check every change is explained by the event that caused it. Action keys: `user_added_to_group`
// and `user_removed_from_group` as the Admin audit log names group membership changes; the spec publishes no list
// of actions (EventModel `action`: "Complete list see `event-actions` API", per organization), so the suspension
// keys are this simulator's (unverified).

function logChange(model: AdminModel, log: AdminEventLog, action: string, by: number, at: number, context: AdminEventPayload['context']): AuditEvent<AdminEventPayload> {
  return log.append(at, { actor: actor(model, by), action, ip: '10.0.2.7', context, container: [{ id: model.orgId, type: 'orgs' }] });
}

const userObject = (model: AdminModel, u: number) => ({ id: model.users.accountId(u), type: 'users' });

/** `by` adds user `u` to group `g`: the membership changes and the organization logs `user_added_to_group`. */
export function adminAddToGroup(model: AdminModel, log: AdminEventLog, g: AdminGroupRecord, u: number, by: number, at: number): AuditEvent<AdminEventPayload> {
  if (!setGroupMember(model, g, u, true)) throw new Error(`admin-events: account ${u} is already in group ${g.name}`);
  return logChange(model, log, 'user_added_to_group', by, at, [userObject(model, u), { id: g.id, type: 'groups' }]);
}

/** `by` removes user `u` from group `g`: the membership goes and the organization logs `user_removed_from_group`. */
export function adminRemoveFromGroup(model: AdminModel, log: AdminEventLog, g: AdminGroupRecord, u: number, by: number, at: number): AuditEvent<AdminEventPayload> {
  if (!setGroupMember(model, g, u, false)) throw new Error(`admin-events: account ${u} is not in group ${g.name}`);
  return logChange(model, log, 'user_removed_from_group', by, at, [userObject(model, u), { id: g.id, type: 'groups' }]);
}

/** `by` suspends user `u`'s access to the organization: membership status `suspended`, logged `user_access_suspended`. */
export function adminSuspendUser(model: AdminModel, log: AdminEventLog, u: number, by: number, at: number): AuditEvent<AdminEventPayload> {
  if (model.users.membershipStatus(u) !== 'active') throw new Error(`admin-events: account ${u} is not an active member`);
  model.users.setMembershipStatus(u, 'suspended');
  return logChange(model, log, 'user_access_suspended', by, at, [userObject(model, u)]);
}

/** `by` restores user `u`'s suspended access: membership status `active` again, logged `user_access_restored`. */
export function adminRestoreUser(model: AdminModel, log: AdminEventLog, u: number, by: number, at: number): AuditEvent<AdminEventPayload> {
  if (model.users.membershipStatus(u) !== 'suspended') throw new Error(`admin-events: account ${u} is not suspended`);
  model.users.setMembershipStatus(u, 'active');
  return logChange(model, log, 'user_access_restored', by, at, [userObject(model, u)]);
}

const fail = (status: number, code: string, title: string, detail: string): RouteResult => ({ status, body: { errors: [{ status: String(status), code, title, detail }] } });

const cursorOf = (o: { offset: number; from: number; to: number; limit: number }): string => Buffer.from(JSON.stringify(o)).toString('base64url');
function readCursor(c: string): { offset: number; from: number; to: number; limit: number } | null {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
    const ok = ['offset', 'from', 'to', 'limit'].every((k) => typeof v[k] === 'number');
    return ok ? (v as { offset: number; from: number; to: number; limit: number }) : null;
  } catch {
    return null;
  }
}

function eventJson(base: string, orgId: string, e: AuditEvent<AdminEventPayload>): Record<string, unknown> {
  const p = e.payload;
  return {
    id: e.id,
    type: 'events',
    attributes: { time: new Date(e.at).toISOString(), action: p.action, actor: { id: p.actor.id, name: p.actor.name }, context: p.context, container: p.container, location: { ip: p.ip } },
    links: { self: `${base}/admin/v1/orgs/${orgId}/events/${e.id}` },
  };
}

/** The events route's state: the organization's model and its audit log. */
export interface AdminEventState {
  model: AdminModel;
  log: AdminEventLog;
}

function orgEvents({ model, log }: AdminEventState, ctx: RouteContext): RouteResult {
  if (ctx.params.orgId !== model.orgId) return fail(404, 'ADMIN-404-2', 'Organization not found', `No organization with id '${ctx.params.orgId ?? ''}' for this API key.`);
  if (log.forbidden) return fail(403, 'ADMIN-403-1', 'Forbidden', "The organization's plan does not include the audit log.");
  const raw = ctx.query.get('cursor');
  let at: { offset: number; from: number; to: number; limit: number };
  if (raw) {
    // As the other Admin cursors: a cursor carries the query; other parameters are discarded.
    const c = readCursor(raw);
    if (!c) return fail(400, 'ADMIN-400-1', 'Invalid page cursor', 'The cursor is not one this API issued.');
    at = c;
  } else {
    const from = timeParam(ctx.query, 'from');
    const to = timeParam(ctx.query, 'to');
    if (Number.isNaN(from) || Number.isNaN(to)) return fail(400, 'ADMIN-400-2', 'Invalid search time', "'from' and 'to' are epoch milliseconds.");
    const limit = Number(ctx.query.get('limit') ?? '30');
    if (!Number.isInteger(limit) || limit < 1 || limit > ADMIN_EVENTS_CAP) return fail(400, 'ADMIN-400-3', 'Invalid request', 'limit must be between 1 and 500.');
    at = { offset: 0, from: from ?? 0, to: to ?? Number.MAX_SAFE_INTEGER, limit };
  }
  const all = log.range(at.from, at.to);
  const { items } = ctx.page(all.slice(at.offset, at.offset + at.limit));
  const nextOffset = at.offset + items.length;
  const body: Record<string, unknown> = { data: items.map((e) => eventJson(ctx.baseUrl, model.orgId, e)), meta: { page_size: at.limit }, links: { self: `${ctx.baseUrl}${ctx.path}` } };
  if (nextOffset < all.length) {
    const c = cursorOf({ ...at, offset: nextOffset });
    (body.meta as Record<string, unknown>).next = c;
    (body.links as Record<string, unknown>).next = `${ctx.baseUrl}/admin/v1/orgs/${model.orgId}/events?cursor=${c}`;
  }
  return { status: 200, body };
}

/** The route, bound by adminTenant. */
export const ADMIN_EVENT_ROUTES: RouteTable<AdminEventState> = [{ method: 'GET', path: '/admin/v1/orgs/{orgId}/events', paged: true, handle: orgEvents }];

/** The rows a perfect collector stores for the window `[from, to]` (epoch ms). */
export function adminEventsTruth(log: AdminEventLog, from: number, to: number): RowInput<typeof adminAuditEvents>[] {
  if (log.forbidden) return [];
  return log.range(from, to).map((e) => {
    const p = e.payload;
    const typed = (objs: { id: string; type: string }[], ...types: string[]) => [...new Set(objs.filter((o) => types.includes(o.type)).map((o) => o.id))];
    return {
      event_id: e.id,
      event_time: new Date(e.at).toISOString(),
      actor_account_id: p.actor.id,
      actor_name: p.actor.name,
      actor_auth: null,
      action: p.action,
      ip: p.ip,
      context: p.context.map((o) => `${o.type}:${o.id}`),
      container: p.container.map((o) => `${o.type}:${o.id}`),
      affected_account_ids: typed(p.context, 'users', 'user'),
      group_ids: typed(p.context, 'groups', 'group'),
      resource_ids: typed([...p.context, ...p.container], 'sites', 'site', 'products', 'product'),
    };
  });
}
