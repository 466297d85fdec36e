/**
 * Confluence's audit log in the simulated tenant: records, the route, the ground truth, and changes that log
 * themselves (who did it, when).
 *
 * Authority: The Confluence Cloud REST API v1, GET /wiki/rest/api/audit (operation getAuditRecords): `startDate` /
 * `endDate` in epoch milliseconds ("on or after" / "on or before"), `start` (default 0), `limit` (default 1000, "may
 * be restricted by fixed system limits": this simulator caps at 1000 and says so in `limit`), envelope
 * AuditRecordArray `{results, start, limit, size, _links}`; 403 "if the calling user does not have permission to
 * view the audit log". AuditRecord has no id; objects have only `name` and `objectType` (a User object's name is
 * the account id here: which name Confluence Cloud gives a user object is not published).
 */
import { createHash } from 'node:crypto';
import type { confluenceAuditRecords } from '../functions/confluence-audit.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { AuditLog, spreadTimes, timeParam, type AuditEvent } from './audit-log.ts';
import type { RouteContext, RouteResult, RouteTable } from './server.ts';
import { confluenceV1Error } from './confluence/routes.ts';
import type { ConfluenceModel, ConfluenceSpaceRecord } from './confluence/model.ts';

export interface ConfluenceAuditPayload {
  author: { accountId: string; displayName: string } | null;
  summary: string;
  category: string;
  description: string;
  remoteAddress: string;
  sysAdmin: boolean;
  affectedObject: { name: string; objectType: string };
  associatedObjects: { name: string; objectType: string }[];
  changedValues: { name: string; oldValue: string; newValue: string }[];
}

export type ConfluenceAuditLog = AuditLog<ConfluenceAuditPayload>;

export interface ConfluenceAuditOptions {
  background?: { count: number; days: number; until: number };
  forbidden?: boolean;
}

export const CONFLUENCE_AUDIT_CAP = 1000;

export function confluenceAuditLog(model: ConfluenceModel, opts: ConfluenceAuditOptions = {}): ConfluenceAuditLog {
  const log = new AuditLog<ConfluenceAuditPayload>(model.seed, (seed, n) => `${seed}:${n}`);
  log.forbidden = opts.forbidden === true;
  if (opts.background) confluenceBackground(model, log, opts.background.count, opts.background.until - opts.background.days * 86_400_000, opts.background.until);
  return log;
}

const author = (model: ConfluenceModel, u: number) => ({ accountId: model.users.accountId(u), displayName: model.users.displayName(u) });

/** Unrelated records (space exports, settings, app installs) at deterministic times in `[from, to]`. */
export function confluenceBackground(model: ConfluenceModel, log: ConfluenceAuditLog, count: number, from: number, to: number): void {
  spreadTimes(model.seed, `confluence-audit:${from}`, count, from, to).forEach((at, i) =>
    log.append(at, {
      author: author(model, 0),
      summary: i % 2 ? 'Space exported' : 'Global configuration changed',
      category: i % 2 ? 'Import/Export' : 'Global configuration',
      description: '',
      remoteAddress: '10.0.1.1',
      sysAdmin: true,
      affectedObject: i % 2 ? { name: `Export ${i}`, objectType: 'Export' } : { name: 'Site title', objectType: 'Configuration' },
      associatedObjects: [],
      changedValues: [],
    }),
  );
}

/** `actor` grants user `u` a permission on `space`: the permission is added and Confluence logs "Space permission added". */
export function confluenceGrantSpacePermission(
  model: ConfluenceModel,
  log: ConfluenceAuditLog,
  space: ConfluenceSpaceRecord,
  u: number,
  operation: string,
  actor: number,
  at: number,
): AuditEvent<ConfluenceAuditPayload> {
  space.permissions.push({ id: String(990_000 + space.permissions.length), principalType: 'user', principalId: model.users.accountId(u), operation, targetType: 'space' });
  return log.append(at, {
    author: author(model, actor),
    summary: 'Space permission added',
    category: 'Permissions',
    description: '',
    remoteAddress: '10.0.1.7',
    sysAdmin: false,
    affectedObject: { name: space.name, objectType: 'Space' },
    // A user object's name: the account id here (unverified: the spec types it a plain name; see functions/confluence-audit.ts).
    associatedObjects: [{ name: model.users.accountId(u), objectType: 'User' }],
    changedValues: [{ name: 'Permission', oldValue: '', newValue: operation }],
  });
}

const fail = (status: number, message: string): RouteResult => ({ status, body: confluenceV1Error(status, message) });

function recordJson(e: AuditEvent<ConfluenceAuditPayload>): Record<string, unknown> {
  const p = e.payload;
  return {
    author: p.author ? { type: 'user', displayName: p.author.displayName, accountId: p.author.accountId, operations: null } : { type: 'user', displayName: 'System', operations: null },
    remoteAddress: p.remoteAddress,
    creationDate: e.at,
    summary: p.summary,
    description: p.description,
    category: p.category,
    sysAdmin: p.sysAdmin,
    affectedObject: p.affectedObject,
    changedValues: p.changedValues,
    associatedObjects: p.associatedObjects,
  };
}

// The Confluence Cloud REST API v1, GET /wiki/rest/api/audit (getAuditRecords): start/limit paging within the
// log's time range (startDate, endDate), `_links.next` while more is left; 403 without admin rights or on a free plan.
function getAuditRecords(log: ConfluenceAuditLog, ctx: RouteContext): RouteResult {
  if (log.forbidden) return fail(403, 'The audit log is not available on this plan.');
  const start = Number(ctx.query.get('start') ?? '0');
  const asked = Number(ctx.query.get('limit') ?? String(CONFLUENCE_AUDIT_CAP));
  if (!Number.isInteger(start) || start < 0 || !Number.isInteger(asked) || asked < 0) return fail(400, 'start and limit must be non-negative integers.');
  const from = timeParam(ctx.query, 'startDate');
  const to = timeParam(ctx.query, 'endDate');
  if (Number.isNaN(from) || Number.isNaN(to)) return fail(400, 'startDate and endDate must be epoch milliseconds.');
  const limit = Math.min(asked, CONFLUENCE_AUDIT_CAP);
  const all = log.range(from ?? 0, to ?? Number.MAX_SAFE_INTEGER);
  const { items, short } = ctx.page(all.slice(start, start + limit));
  const more = short || start + items.length < all.length;
  const q = new URLSearchParams(ctx.query);
  q.set('start', String(start + items.length));
  const links: Record<string, string> = { base: ctx.baseUrl, context: '/wiki' };
  if (more) links.next = `${ctx.path}?${q.toString()}`;
  return { status: 200, body: { results: items.map(recordJson), start, limit, size: items.length, _links: links } };
}

/** The route, over the tenant's audit log (confluenceTenant binds it). */
export const CONFLUENCE_AUDIT_ROUTES: RouteTable<ConfluenceAuditLog> = [
  { method: 'GET', path: '/wiki/rest/api/audit', paged: true, denyLimited: { status: 403, message: 'You do not have permission to view the audit log.' }, handle: getAuditRecords },
];

/** The rows a perfect collector stores for the window `[from, to]` (epoch ms). */
export function confluenceAuditTruth(log: ConfluenceAuditLog, from: number, to: number): RowInput<typeof confluenceAuditRecords>[] {
  if (log.forbidden) return [];
  return log.range(from, to).map((e) => {
    const p = e.payload;
    const objs = [...p.associatedObjects, p.affectedObject];
    const names = (t: string) => [...new Set(objs.filter((o) => o.objectType.toLowerCase() === t).map((o) => o.name))];
    const a = p.author ?? { accountId: null, displayName: 'System' };
    const time = new Date(e.at).toISOString();
    const id = createHash('sha256')
      .update(JSON.stringify([time, a.accountId, a.displayName, p.summary, p.category, p.description, p.remoteAddress, p.affectedObject, p.associatedObjects, p.changedValues]))
      .digest('hex')
      .slice(0, 32);
    return {
      event_id: id,
      event_time: time,
      actor_account_id: a.accountId,
      actor_name: a.displayName,
      action: p.summary,
      category: p.category,
      description: p.description,
      remote_address: p.remoteAddress,
      sys_admin: p.sysAdmin,
      object_type: p.affectedObject.objectType,
      object_name: p.affectedObject.name,
      associated_objects: p.associatedObjects.map((o) => `${o.objectType}:${o.name}`),
      changed_values: p.changedValues.map((c) => `${c.name}: ${c.oldValue} -> ${c.newValue}`),
      affected_names: names('user'),
      group_names: names('group'),
      resource_names: names('space'),
    };
  });
}
