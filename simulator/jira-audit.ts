/**
 * Jira's audit log in the simulated tenant: the records, the route that serves them, the ground truth, and the
 * changes that log themselves (who did it, when) so a test can check each change is explained by its record.
 *
 * Authority: The Jira Cloud platform REST API, GET /rest/api/3/auditing/record (operation getAuditRecords):
 * `offset` (default 0), `limit` (default 1000; no maximum published: this simulator caps at 1000 and says so in
 * the response's `limit`), `from`/`to` ("on or after" / "on or before"), envelope `{offset, limit, total, records}`
 * (AuditRecords), records newest first; 403 "if the user does not have the required permissions" or "all Jira
 * products are on free plans".
 */
import type { jiraAuditRecords } from '../functions/jira-audit.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { AuditLog, spreadTimes, timeParam, type AuditEvent } from './audit-log.ts';
import { errorBody, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import type { JiraModel, JiraProjectRecord, JiraGroupRecord } from './jira/model.ts';

export interface JiraAuditItem {
  id?: string;
  name: string;
  typeName: string;
  parentId?: string;
  parentName?: string;
}

/** One AuditRecordBean, as the model keeps it. */
export interface JiraAuditPayload {
  authorAccountId?: string;
  summary: string;
  category: string;
  eventSource: string;
  remoteAddress: string;
  objectItem?: JiraAuditItem;
  associatedItems: JiraAuditItem[];
  changedValues: { fieldName: string; changedFrom: string; changedTo: string }[];
}

export type JiraAuditLog = AuditLog<JiraAuditPayload>;

export interface JiraAuditOptions {
  /** Unrelated background records spread over the `days` before `until` (epoch ms). @default none */
  background?: { count: number; days: number; until: number };
  /** The endpoint answers 403 (the Free plan, or a key without the scope). */
  forbidden?: boolean;
}

/** The page cap of this simulator (the default `limit`; no maximum is published). */
export const JIRA_AUDIT_CAP = 1000;

const DIRECTORY = { parentId: '10000', parentName: 'Atlassian' };

export function jiraAuditLog(model: JiraModel, opts: JiraAuditOptions = {}): JiraAuditLog {
  const log = new AuditLog<JiraAuditPayload>(model.seed, (seed, n) => String(10_000 + n));
  log.forbidden = opts.forbidden === true;
  if (opts.background) jiraBackground(model, log, opts.background.count, opts.background.until - opts.background.days * 86_400_000, opts.background.until);
  return log;
}

/** Unrelated records (logins of the admin, settings, workflow edits) at deterministic times in `[from, to]`. */
export function jiraBackground(model: JiraModel, log: JiraAuditLog, count: number, from: number, to: number): void {
  const admin = model.users.accountId(0);
  const kinds: ((i: number) => JiraAuditPayload)[] = [
    (i) => ({ authorAccountId: admin, summary: 'Workflow updated', category: 'workflows', eventSource: '', remoteAddress: '10.0.0.1', objectItem: { id: String(20_000 + i), name: `Workflow ${i}`, typeName: 'WORKFLOW' }, associatedItems: [], changedValues: [] }),
    (i) => ({ authorAccountId: admin, summary: 'Custom field created', category: 'fields', eventSource: '', remoteAddress: '10.0.0.1', objectItem: { id: `customfield_${10_100 + i}`, name: `Field ${i}`, typeName: 'CUSTOM_FIELD' }, associatedItems: [], changedValues: [] }),
    (i) => ({ summary: 'Jira setting changed', category: 'system', eventSource: 'Jira', remoteAddress: '', objectItem: { name: `jira.option.${i}`, typeName: 'SETTING' }, associatedItems: [], changedValues: [{ fieldName: 'value', changedFrom: 'false', changedTo: 'true' }] }),
  ];
  spreadTimes(model.seed, `jira-audit:${from}`, count, from, to).forEach((at, i) => log.append(at, kinds[i % kinds.length]!(i)));
}

const userItem = (model: JiraModel, u: number): JiraAuditItem => ({ id: model.users.accountId(u), name: model.users.displayName(u), typeName: 'USER', ...DIRECTORY });
const groupItem = (g: JiraGroupRecord): JiraAuditItem => ({ id: g.groupId, name: g.name, typeName: 'GROUP', ...DIRECTORY });
const projectItem = (p: JiraProjectRecord): JiraAuditItem => ({ id: p.id, name: p.name, typeName: 'PROJECT' });

/** `actor` adds user `u` to group `g` at `at`: the membership changes and Jira logs "User added to group". */
export function jiraAddToGroup(model: JiraModel, log: JiraAuditLog, g: JiraGroupRecord, u: number, actor: number, at: number): AuditEvent<JiraAuditPayload> {
  g.members = Int32Array.from([...g.members, u].sort((a, b) => a - b));
  return log.append(at, { authorAccountId: model.users.accountId(actor), summary: 'User added to group', category: 'group management', eventSource: '', remoteAddress: '10.0.0.7', objectItem: groupItem(g), associatedItems: [userItem(model, u)], changedValues: [] });
}

/** `actor` removes user `u` from group `g`: "User removed from group". */
export function jiraRemoveFromGroup(model: JiraModel, log: JiraAuditLog, g: JiraGroupRecord, u: number, actor: number, at: number): AuditEvent<JiraAuditPayload> {
  g.members = g.members.filter((m) => m !== u);
  return log.append(at, { authorAccountId: model.users.accountId(actor), summary: 'User removed from group', category: 'group management', eventSource: '', remoteAddress: '10.0.0.7', objectItem: groupItem(g), associatedItems: [userItem(model, u)], changedValues: [] });
}

/** `actor` removes the user actors of role `roleIndex` in project `p`: one "Project roles changed" record per user. */
export function jiraRemoveRoleUsers(model: JiraModel, log: JiraAuditLog, p: JiraProjectRecord, roleIndex: number, actor: number, at: number): AuditEvent<JiraAuditPayload>[] {
  const role = p.roles.find((r) => r.roleIndex === roleIndex);
  const meta = model.roles[roleIndex];
  if (!role || !meta) throw new Error(`jira-audit: project ${p.key} has no role ${roleIndex}`);
  const out: AuditEvent<JiraAuditPayload>[] = [];
  for (const a of role.actors) {
    if (a.kind !== 'user') continue;
    out.push(
      log.append(at, {
        authorAccountId: model.users.accountId(actor),
        summary: 'Project roles changed',
        category: 'projects',
        eventSource: '',
        remoteAddress: '10.0.0.7',
        objectItem: { id: String(meta.id), name: meta.name, typeName: 'PROJECT_ROLE' },
        associatedItems: [projectItem(p), userItem(model, a.userIndex)],
        changedValues: [{ fieldName: 'Users', changedFrom: model.users.accountId(a.userIndex), changedTo: '' }],
      }),
    );
  }
  role.actors = role.actors.filter((a) => a.kind !== 'user');
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

function recordJson(e: AuditEvent<JiraAuditPayload>): Record<string, unknown> {
  const p = e.payload;
  return {
    id: Number(e.id),
    summary: p.summary,
    remoteAddress: p.remoteAddress,
    ...(p.authorAccountId ? { authorAccountId: p.authorAccountId } : {}),
    created: iso(e.at),
    category: p.category,
    eventSource: p.eventSource,
    ...(p.objectItem ? { objectItem: p.objectItem } : {}),
    changedValues: p.changedValues,
    associatedItems: p.associatedItems,
  };
}

const fail = (status: number, message: string): RouteResult => ({ status, body: errorBody(message) });

// The Jira Cloud platform REST API, GET /rest/api/3/auditing/record (getAuditRecords): offset/limit paging within
// the log's time range; 403 without Administer Jira, and on a free plan.
function getAuditRecords(log: JiraAuditLog, ctx: RouteContext): RouteResult {
  if (log.forbidden) return fail(403, 'Audit logs are available when at least one Jira product is on a paid plan.');
  const offset = Number(ctx.query.get('offset') ?? '0');
  const asked = Number(ctx.query.get('limit') ?? String(JIRA_AUDIT_CAP));
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(asked) || asked < 0) return fail(400, 'offset and limit must be non-negative integers.');
  const from = timeParam(ctx.query, 'from');
  const to = timeParam(ctx.query, 'to');
  if (Number.isNaN(from) || Number.isNaN(to)) return fail(400, "'from' and 'to' must be dates and times.");
  const limit = Math.min(asked, JIRA_AUDIT_CAP);
  const all = log.range(from ?? 0, to ?? Number.MAX_SAFE_INTEGER);
  const { items } = ctx.page(all.slice(offset, offset + limit));
  return { status: 200, body: { offset, limit, total: all.length, records: items.map(recordJson) } };
}

/** The route, over the tenant's audit log (the Jira tenant's table includes it). */
export const JIRA_AUDIT_ROUTES: RouteTable<JiraAuditLog> = [
  { method: 'GET', path: '/rest/api/3/auditing/record', paged: true, denyLimited: { status: 403, message: 'You do not have permission to view the audit log.' }, handle: getAuditRecords },
];

/** The rows a perfect collector stores for the window `[from, to]` (epoch ms). */
export function jiraAuditTruth(log: JiraAuditLog, from: number, to: number): RowInput<typeof jiraAuditRecords>[] {
  if (log.forbidden) return [];
  return log.range(from, to).map((e) => {
    const p = e.payload;
    const items = [...(p.objectItem ? [p.objectItem] : []), ...p.associatedItems];
    const of = (t: string) => [...new Set(items.filter((i) => i.typeName === t).map((i) => i.id ?? i.name))];
    return {
      event_id: e.id,
      event_time: new Date(e.at).toISOString(),
      actor_account_id: p.authorAccountId ?? null,
      action: p.summary,
      category: p.category,
      event_source: p.eventSource,
      remote_address: p.remoteAddress,
      object_type: p.objectItem?.typeName ?? null,
      object_id: p.objectItem?.id ?? null,
      object_name: p.objectItem?.name ?? null,
      associated_items: p.associatedItems.map((i) => `${i.typeName}:${i.id ?? ''}:${i.name}`),
      changed_values: p.changedValues.map((c) => `${c.fieldName}: ${c.changedFrom} -> ${c.changedTo}`),
      affected_account_ids: of('USER'),
      group_ids: of('GROUP'),
      resource_ids: of('PROJECT'),
    };
  });
}
