import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { BlobStore } from '../../shared/sink/store.ts';
import {
  normalize,
  type AdminRow,
  type ChangeRow,
  type CoverageRow,
  type DormantRow,
  type ExternalRow,
  type NonHumanRow,
  type ReportData,
} from '../../shared/report/data.ts';

/**
 * An independent oracle of the report's figures, in TypeScript over the published gzip NDJSON: it restates the
 * SQL views' rules for what the report shows (administration, not every permission). Nothing at run time uses
 * it (the report runs its SQL through a query runner: DuckDB locally, Athena in AWS); test/report/report.test.ts
 * requires the SQL's figures through the runner to equal these on the two-snapshot tenant.
 */

export type Row = Record<string, unknown>;

/**
 * The admin groups of sql/views/privileged_group_members.sql (the one definition, which the SQL report reads),
 * restated here because this path reads no SQL; test/report/report.test.ts requires both paths to agree.
 */
const ADMIN_GROUP_RE = /^(site-admins|administrators|org-admins|jira-administrators|jira-admins(-.+)?|confluence-administrators)$/;

/** Where the rows come from: a local folder or the bucket, through the sink's BlobStore. */
export interface RowSource {
  /**
   * Rows of `table` on `date`, every org, each with `org` set from its partition; `keep` filters while reading
   * and `fields` keeps only those columns (with org and site), so memory holds what the report uses.
   */
  rows(table: string, date: string, keep?: (r: Row) => boolean, fields?: readonly string[]): Promise<Row[]>;
  /** Snapshot dates (any table), ascending. */
  dates(): Promise<string[]>;
}

/** Tables every snapshot of a product has, used to find dates and sites. */
const ANCHORS = [
  ['jira', 'jira_settings'],
  ['confluence', 'confluence_settings'],
  ['bitbucket', 'bitbucket_workspaces'],
  ['organization', 'admin_orgs'],
] as const;

export function storeSource(store: BlobStore): RowSource {
  return {
    async rows(table, date, keep, fields) {
      const out: Row[] = [];
      for (const key of await store.list(`${table}/dt=${date}/`)) {
        const org = /\/org=([^/]+)\//.exec(key)?.[1];
        if (!org || !key.endsWith('.json.gz')) continue;
        const lines = createInterface({ input: (await store.readStream(key)).pipe(createGunzip()), crlfDelay: Infinity });
        for await (const line of lines) {
          if (!line) continue;
          const r = JSON.parse(line) as Row;
          r.org = org;
          if (keep && !keep(r)) continue;
          out.push(fields ? Object.fromEntries(['org', 'site', ...fields].map((f) => [f, r[f]])) : r);
        }
      }
      return out;
    },
    async dates() {
      const dates = new Set<string>();
      for (const [, table] of ANCHORS) {
        for (const key of await store.list(`${table}/dt=`)) {
          const m = /^[^/]+\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key);
          if (m?.[1]) dates.add(m[1]);
        }
      }
      return [...dates].sort();
    },
  };
}

const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const b = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const siteKey = (r: Row): string => `${r.org}\u0000${r.site}`;
const maxStr = (a: string | null, x: string | null): string | null => (x === null ? a : a === null || x > a ? x : a);
/** SQL `bool_or`: true if any true, false if any false and none true, null if all null. */
const boolOr = (a: boolean | null, x: boolean | null): boolean | null => (a === true || x === true ? true : a === false || x === false ? false : null);

/** One privileged (administration) access of one date, in the shape of effective_access. */
interface Privileged {
  org: string;
  product: string;
  site: string;
  resource_id: string;
  resource_key: string | null;
  resource_name: string | null;
  permission: string;
  principal_type: string;
  principal_id: string;
  account_id: string | null;
  display_name: string | null;
  active: boolean | null;
  /** Jira only: the project is in the trash. */
  deleted: boolean;
  /** Bitbucket only. */
  group_slug: string | null;
  /** Jira only: the groups on the account's paths (the `group=` steps of jira_effective_permissions.paths). */
  groups: Set<string>;
}

const ADMINISTER = 'ADMINISTER_PROJECTS';
const JIRA_EXPANDED = new Set(['user', 'group', 'projectRole', 'applicationRole', 'projectLead', 'anyone']);

async function jiraPrivileged(src: RowSource, date: string): Promise<Privileged[]> {
  const grants = await src.rows('jira_permission_grants', date, (r) => r.permission === ADMINISTER);
  const roleIds = new Set(grants.filter((g) => g.holder_type === 'projectRole').map((g) => String(g.holder_value)));
  const actors = await src.rows('jira_project_role_actors', date, (r) => roleIds.has(String(r.role_id)));
  const anyAppRole = grants.some((g) => g.holder_type === 'applicationRole');
  const appRoles = anyAppRole ? await src.rows('jira_application_roles', date, (r) => r.group_id !== null && r.group_id !== undefined) : [];
  const groups = new Set<string>([
    ...grants.filter((g) => g.holder_type === 'group').map((g) => String(g.holder_value)),
    ...actors.filter((a) => a.actor_type === 'group').map((a) => String(a.group_id)),
    ...appRoles.map((r) => String(r.group_id)),
  ]);
  const members = await src.rows('jira_group_members', date, (r) => groups.has(String(r.group_id)));
  const users = new Map((await src.rows('jira_users', date, undefined, ['account_id', 'display_name', 'active'])).map((u) => [`${siteKey(u)}\u0000${u.account_id}`, u]));
  const projects = await src.rows('jira_projects', date);

  const membersOf = new Map<string, string[]>();
  for (const m of members) {
    const k = `${siteKey(m)}\u0000${m.group_id}`;
    membersOf.set(k, [...(membersOf.get(k) ?? []), String(m.account_id)]);
  }
  const grantsOf = new Map<string, Row[]>();
  for (const g of grants) {
    const k = `${siteKey(g)}\u0000${g.scheme_id}`;
    grantsOf.set(k, [...(grantsOf.get(k) ?? []), g]);
  }
  const out = new Map<string, Privileged>();
  for (const p of projects) {
    const site = siteKey(p);
    const add = (principal: string, account: string | null, group: unknown = null) => {
      const u = account === null ? undefined : users.get(`${site}\u0000${account}`);
      const key = `${site}\u0000${p.project_id}\u0000${principal}\u0000${account ?? principal}`;
      const known = out.get(key);
      if (known) {
        if (group !== null) known.groups.add(String(group));
        return;
      }
      out.set(key, {
        org: String(p.org),
        product: 'jira',
        site: String(p.site),
        resource_id: String(p.project_id),
        resource_key: s(p.project_key),
        resource_name: s(p.name),
        permission: ADMINISTER,
        principal_type: principal,
        principal_id: account ?? principal,
        account_id: account,
        display_name: u ? s(u.display_name) : null,
        active: u ? b(u.active) : null,
        deleted: p.deleted === true,
        group_slug: null,
        groups: new Set(group === null ? [] : [String(group)]),
      });
    };
    const groupMembers = (groupId: unknown) => membersOf.get(`${site}\u0000${groupId}`) ?? [];
    for (const g of grantsOf.get(`${site}\u0000${p.permission_scheme_id}`) ?? []) {
      const type = String(g.holder_type);
      const value = s(g.holder_value);
      if (!JIRA_EXPANDED.has(type)) add('conditional', null);
      else if (type === 'user' && value !== null) add('account', value);
      else if (type === 'group') for (const a of groupMembers(value)) add('account', a, value);
      else if (type === 'projectRole') {
        for (const a of actors) {
          if (siteKey(a) !== site || a.project_id !== p.project_id || String(a.role_id) !== value) continue;
          if (a.actor_type === 'user' && typeof a.account_id === 'string') add('account', a.account_id);
          else if (a.actor_type === 'group') for (const m of groupMembers(a.group_id)) add('account', m, a.group_id);
        }
      } else if (type === 'applicationRole') {
        for (const r of appRoles) if (siteKey(r) === site && (value === null || r.role_key === value)) for (const m of groupMembers(r.group_id)) add('account', m, r.group_id);
      } else if (type === 'projectLead' && typeof p.lead_account_id === 'string') add('account', p.lead_account_id);
      else if (type === 'anyone') add('anyone', null);
    }
  }
  return [...out.values()];
}

async function confluencePrivileged(src: RowSource, date: string): Promise<Privileged[]> {
  const roles = await src.rows('confluence_space_roles', date, (r) => Array.isArray(r.space_permissions) && r.space_permissions.includes('administer/space'));
  const adminRoles = new Set(roles.map((r) => `${siteKey(r)}\u0000${r.role_id}`));
  const perms = await src.rows('confluence_space_permissions', date, (r) => r.operation === 'administer' && r.target_type === 'space');
  const assignments = await src.rows('confluence_space_role_assignments', date, (r) => adminRoles.has(`${siteKey(r)}\u0000${r.role_id}`));
  const groups = new Set([...perms.filter((p) => p.principal_type === 'group').map((p) => `${siteKey(p)}\u0000${p.principal_id}`), ...assignments.filter((a) => a.principal_type === 'GROUP').map((a) => `${siteKey(a)}\u0000${a.principal_id}`)]);
  const members = await src.rows('confluence_group_members', date, (r) => groups.has(`${siteKey(r)}\u0000${r.group_id}`));
  const membersOf = new Map<string, string[]>();
  for (const m of members) {
    const k = `${siteKey(m)}\u0000${m.group_id}`;
    membersOf.set(k, [...(membersOf.get(k) ?? []), String(m.account_id)]);
  }
  const users = new Map((await src.rows('confluence_users', date, undefined, ['account_id', 'display_name', 'account_status'])).map((u) => [`${siteKey(u)}\u0000${u.account_id}`, u]));
  const spaces = new Map((await src.rows('confluence_spaces', date)).map((sp) => [`${siteKey(sp)}\u0000${sp.space_id}`, sp]));
  const out = new Map<string, Privileged>();
  const add = (r: Row, principal: 'account' | 'access_class', id: string) => {
    const space = spaces.get(`${siteKey(r)}\u0000${r.space_id}`);
    if (!space) return;
    const key = `${siteKey(r)}\u0000${r.space_id}\u0000${principal}\u0000${id}`;
    if (out.has(key)) return;
    const u = principal === 'account' ? users.get(`${siteKey(r)}\u0000${id}`) : undefined;
    const status = u ? s(u.account_status) : null;
    out.set(key, {
      org: String(r.org),
      product: 'confluence',
      site: String(r.site),
      resource_id: String(r.space_id),
      resource_key: s(space.space_key),
      resource_name: s(space.name),
      permission: 'admin',
      principal_type: principal,
      principal_id: id,
      account_id: principal === 'account' ? id : null,
      display_name: u ? s(u.display_name) : null,
      active: status === null ? null : status === 'active',
      deleted: false,
      group_slug: null,
      groups: new Set(),
    });
  };
  for (const p of perms) {
    const id = s(p.principal_id);
    if (p.principal_type === 'user' && id !== null) add(p, 'account', id);
    else if (p.principal_type === 'group') for (const m of membersOf.get(`${siteKey(p)}\u0000${p.principal_id}`) ?? []) add(p, 'account', m);
    else if (p.principal_type === 'role' && id !== null) add(p, 'access_class', id);
  }
  for (const a of assignments) {
    const id = String(a.principal_id);
    if (a.principal_type === 'USER') add(a, 'account', id);
    else if (a.principal_type === 'GROUP') for (const m of membersOf.get(`${siteKey(a)}\u0000${id}`) ?? []) add(a, 'account', m);
    else if (a.principal_type === 'ACCESS_CLASS') add(a, 'access_class', id);
  }
  return [...out.values()];
}

const LEVEL: Record<string, number> = { admin: 3, write: 2, 'create-repo': 2, read: 1 };

async function bitbucketPrivileged(src: RowSource, date: string): Promise<Privileged[]> {
  const repos = await src.rows('bitbucket_repositories', date);
  const members = await src.rows('bitbucket_workspace_members', date);
  const projectPerms = await src.rows('bitbucket_project_permissions', date);
  const repoPerms = await src.rows('bitbucket_repository_permissions', date);
  const memberOf = new Map(members.map((m) => [`${siteKey(m)}\u0000${m.workspace_uuid}\u0000${m.user_uuid}`, m]));
  const byProject = new Map<string, Row[]>();
  for (const p of projectPerms) byProject.set(`${siteKey(p)}\u0000${p.project_uuid}`, [...(byProject.get(`${siteKey(p)}\u0000${p.project_uuid}`) ?? []), p]);
  const byRepo = new Map<string, Row[]>();
  for (const p of repoPerms) byRepo.set(`${siteKey(p)}\u0000${p.repository_uuid}`, [...(byRepo.get(`${siteKey(p)}\u0000${p.repository_uuid}`) ?? []), p]);
  const owners = new Map<string, Row[]>();
  for (const m of members) if (m.permission === 'owner') owners.set(`${siteKey(m)}\u0000${m.workspace_uuid}`, [...(owners.get(`${siteKey(m)}\u0000${m.workspace_uuid}`) ?? []), m]);

  const out: Privileged[] = [];
  for (const r of repos) {
    const site = siteKey(r);
    // (principal type, id) -> best level, display names seen, the user's uuid / account id / group slug
    const acc = new Map<string, { type: string; id: string; level: number; account: string | null; uuid: string | null; slug: string | null; name: string | null }>();
    const add = (type: string, id: string, level: number, account: string | null, uuid: string | null, slug: string | null, name: string | null) => {
      const k = `${type}\u0000${id}`;
      const e = acc.get(k);
      if (!e) acc.set(k, { type, id, level, account, uuid, slug, name });
      else {
        e.level = Math.max(e.level, level);
        e.account = maxStr(e.account, account);
        e.uuid = maxStr(e.uuid, uuid);
        e.slug = maxStr(e.slug, slug);
        e.name = maxStr(e.name, name);
      }
    };
    for (const m of owners.get(`${site}\u0000${r.workspace_uuid}`) ?? []) add('user', String(m.account_id ?? m.user_uuid), 3, s(m.account_id), s(m.user_uuid), null, s(m.display_name));
    const grant = (g: Row) => {
      const group = g.principal_type === 'group';
      const id = group ? String(g.group_slug) : String(g.account_id ?? g.user_uuid);
      add(String(g.principal_type), id, LEVEL[String(g.permission)] ?? 0, s(g.account_id), s(g.user_uuid), s(g.group_slug), s(g.display_name));
    };
    for (const g of byProject.get(`${site}\u0000${r.project_uuid}`) ?? []) grant(g);
    for (const g of byRepo.get(`${site}\u0000${r.repository_uuid}`) ?? []) grant(g);
    for (const e of acc.values()) {
      if (e.level !== 3) continue;
      const m = e.type === 'user' && e.uuid !== null ? memberOf.get(`${site}\u0000${r.workspace_uuid}\u0000${e.uuid}`) : undefined;
      const status = m ? s(m.account_status) : null;
      out.push({
        org: String(r.org),
        product: 'bitbucket',
        site: String(r.site),
        resource_id: String(r.repository_uuid),
        resource_key: s(r.full_name),
        resource_name: s(r.full_name),
        permission: 'admin',
        principal_type: e.type === 'user' ? 'account' : e.type,
        principal_id: e.id,
        account_id: e.account,
        display_name: (m ? s(m.display_name) : null) ?? e.name,
        active: status === null ? null : status === 'active',
        deleted: false,
        group_slug: e.slug,
        groups: new Set(),
      });
    }
  }
  return out;
}

async function privileged(src: RowSource, date: string): Promise<Privileged[]> {
  return [...(await jiraPrivileged(src, date)), ...(await confluencePrivileged(src, date)), ...(await bitbucketPrivileged(src, date))];
}

async function coverage(src: RowSource, date: string, previous: string | null): Promise<CoverageRow[]> {
  const map = new Map<string, CoverageRow>();
  const mark = async (product: string, table: string, d: string, onDate: boolean) => {
    for (const r of await src.rows(table, d)) {
      const key = `${r.org}\u0000${product}\u0000${r.site}`;
      const c = map.get(key) ?? { org: String(r.org), product, site: String(r.site), on_date: false, on_previous: false };
      if (onDate) c.on_date = true;
      else c.on_previous = true;
      map.set(key, c);
    }
  };
  for (const [product, table] of ANCHORS) {
    await mark(product, table, date, true);
    if (previous) await mark(product, table, previous, false);
  }
  return [...map.values()];
}

async function admins(src: RowSource, date: string, now: Privileged[]): Promise<AdminRow[]> {
  const out: AdminRow[] = [];
  const scoped = new Map<string, AdminRow & { resources: Set<string> }>();
  for (const p of now) {
    if (p.principal_type === 'anyone' || p.principal_type === 'conditional' || p.principal_type === 'access_class') continue;
    if (p.product === 'jira' && p.deleted) continue;
    const role = p.product === 'jira' ? 'project admin' : p.product === 'confluence' ? 'space admin' : p.principal_type === 'group' ? 'repository admin group' : 'repository admin';
    const key = `${p.org}\u0000${p.product}\u0000${p.site}\u0000${role}\u0000${p.principal_id}`;
    let e = scoped.get(key);
    if (!e) {
      e = { org: p.org, product: p.product as AdminRow['product'], site: p.site, account_id: p.principal_id, display_name: null, role, scope: 0, active: null, resources: new Set() };
      scoped.set(key, e);
    }
    e.resources.add(p.resource_id);
    e.display_name = maxStr(e.display_name, p.product === 'bitbucket' ? (p.display_name ?? p.group_slug) : p.display_name);
    e.active = p.product === 'jira' ? boolOr(e.active, p.active) : p.active ?? e.active;
  }
  for (const { resources, ...e } of scoped.values()) out.push({ ...e, scope: resources.size });

  const groupAdmins = async (product: 'jira' | 'confluence') => {
    const members = await src.rows(`${product}_group_members`, date, (r) => typeof r.group_name === 'string' && ADMIN_GROUP_RE.test(r.group_name.toLowerCase()));
    if (!members.length) return;
    const users = new Map((await src.rows(`${product}_users`, date, undefined, ['account_id', 'display_name', 'active', 'account_status'])).map((u) => [`${siteKey(u)}\u0000${u.account_id}`, u]));
    for (const m of members) {
      const u = users.get(`${siteKey(m)}\u0000${m.account_id}`);
      const status = u ? s(u.account_status) : null;
      out.push({
        org: String(m.org),
        product,
        site: String(m.site),
        account_id: String(m.account_id),
        display_name: (u ? s(u.display_name) : null) ?? s(m.display_name),
        role: `group ${m.group_name}`,
        scope: null,
        active: product === 'jira' ? ((u ? b(u.active) : null) ?? b(m.active)) : status === null ? null : status === 'active',
      });
    }
  };
  await groupAdmins('jira');
  await groupAdmins('confluence');

  for (const u of await src.rows('admin_users', date, (r) => Array.isArray(r.platform_roles) && r.platform_roles.length > 0)) {
    const status = s(u.status);
    for (const role of u.platform_roles as unknown[]) {
      out.push({ org: String(u.org), product: 'organization', site: String(u.site), account_id: String(u.account_id), display_name: s(u.name), role: `org role ${role}`, scope: null, active: status === null ? null : status === 'active' });
    }
  }
  return out;
}

/** One audit event in the shape of access_changes_explained's `events`. */
interface AuditEvent {
  org: string;
  product: 'jira' | 'confluence' | 'admin';
  site: string;
  event_id: string;
  event_time: string;
  actor: string | null;
  action: string | null;
  principals: string[];
  groups: string[];
  resources: string[];
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The audit tables are append-only logs: every date's rows, de-duplicated by source and event id (the view's DISTINCT). */
async function auditEvents(src: RowSource, dates: readonly string[]): Promise<AuditEvent[]> {
  const out = new Map<string, AuditEvent>();
  const tables = [
    ['jira', 'jira_audit_records', 'affected_account_ids', 'group_ids', 'resource_ids'],
    ['confluence', 'confluence_audit_records', 'affected_names', 'group_names', 'resource_names'],
    ['admin', 'admin_audit_events', 'affected_account_ids', 'group_ids', 'resource_ids'],
  ] as const;
  for (const date of dates) {
    for (const [product, table, principals, groups, resources] of tables) {
      for (const r of await src.rows(table, date)) {
        out.set(`${table}\u0000${r.org}\u0000${r.site}\u0000${r.event_id}`, {
          org: String(r.org),
          product,
          site: String(r.site),
          event_id: String(r.event_id),
          event_time: String(r.event_time),
          actor: s(r.actor_account_id) ?? (product === 'confluence' ? s(r.actor_name) : null),
          action: s(r.action),
          principals: strs(r[principals]),
          groups: strs(r[groups]),
          resources: strs(r[resources]),
        });
      }
    }
  }
  return [...out.values()];
}

/** When each unit's snapshot was taken (the view's `bounds`): max collected_at of collector_units and the settings tables. */
async function snapshotTimes(src: RowSource, dates: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const put = (date: string, r: Row, product: string) => {
    const k = `${date}\u0000${r.org}\u0000${product}\u0000${r.site}`;
    const at = s(r.collected_at);
    if (at !== null) out.set(k, maxStr(out.get(k) ?? null, at) ?? at);
  };
  for (const date of dates) {
    for (const r of await src.rows('collector_units', date, undefined, ['product', 'collected_at'])) put(date, r, String(r.product).replace('-dc', ''));
    for (const r of await src.rows('jira_settings', date, undefined, ['collected_at'])) put(date, r, 'jira');
    for (const r of await src.rows('confluence_settings', date, undefined, ['collected_at'])) put(date, r, 'confluence');
  }
  return out;
}

/**
 * access_changes restricted to privileged rows, each with what sql/views/access_changes_explained.sql would tie to it
 * (its header states the rule): events strictly after the earlier snapshot and up to the later one, of the change's
 * product and site (or the organization's log, any product), naming the principal (Confluence: by display name) and
 * either the resource (id or name) or a group on the Jira path the access had (on the later date when added, the
 * earlier when removed). The report aggregates them per change: distinct actors and actions, the latest time.
 */
function changes(now: Privileged[], before: Privileged[], cover: CoverageRow[], events: readonly AuditEvent[], times: ReadonlyMap<string, string>, date: string, previous: string | null): ChangeRow[] {
  const both = new Set(cover.filter((c) => c.on_date && c.on_previous).map((c) => `${c.org}\u0000${c.product}\u0000${c.site}`));
  const keyOf = (p: Privileged) => `${p.org}\u0000${p.product}\u0000${p.site}\u0000${p.resource_id}\u0000${p.permission}\u0000${p.principal_type}\u0000${p.principal_id}`;
  const inBoth = (p: Privileged) => both.has(`${p.org}\u0000${p.product}\u0000${p.site}`);
  const nowKeys = new Set(now.filter(inBoth).map(keyOf));
  const beforeKeys = new Set(before.filter(inBoth).map(keyOf));
  const explain = (p: Privileged): AuditEvent[] => {
    if (previous === null) return [];
    const unit = `${p.org}\u0000${p.product}\u0000${p.site}`;
    const after = times.get(`${previous}\u0000${unit}`) ?? previous;
    const until = times.get(`${date}\u0000${unit}`) ?? `${date}T23:59:59.999Z`;
    const principal = p.product === 'confluence' ? p.display_name : (p.account_id ?? p.principal_id);
    return events.filter(
      (e) =>
        e.org === p.org &&
        (e.product === 'admin' || (e.product === p.product && e.site === p.site)) &&
        e.event_time > after &&
        e.event_time <= until &&
        e.principals.some((x) => x === principal || x === p.account_id) &&
        (e.resources.some((x) => x === p.resource_id || x === p.resource_name) || e.groups.some((g) => [...p.groups].map((pg) => `group=${pg}`).join('; ').includes(`group=${g}`))),
    );
  };
  const joined = (xs: (string | null)[]): string | null => sortedJoin(xs) || null;
  const row = (p: Privileged, change: 'added' | 'removed'): ChangeRow => {
    const ev = explain(p);
    return {
      org: p.org,
      product: p.product,
      site: p.site,
      change,
      resource_key: p.resource_key,
      resource_name: p.resource_name,
      permission: p.permission,
      principal_type: p.principal_type,
      principal_id: p.principal_id,
      display_name: p.display_name,
      explanation: ev.length ? 'explained' : 'unexplained',
      actor: joined(ev.map((e) => e.actor)),
      action: joined(ev.map((e) => e.action)),
      event_time: ev.reduce<string | null>((m, e) => maxStr(m, e.event_time), null),
    };
  };
  return [...now.filter((p) => inBoth(p) && !beforeKeys.has(keyOf(p))).map((p) => row(p, 'added')), ...before.filter((p) => inBoth(p) && !nowKeys.has(keyOf(p))).map((p) => row(p, 'removed'))];
}

const DAY = 86_400_000;
const sortedJoin = (xs: Iterable<string | null>): string => [...new Set([...xs].filter((x): x is string => x !== null))].sort().join(', ');

async function directoryFigures(src: RowSource, date: string): Promise<{ dormant: DormantRow[]; external: ExternalRow[]; directory: boolean }> {
  const users = await src.rows('admin_users', date, undefined, ['account_id', 'name', 'email', 'status', 'membership_status', 'last_active']);
  if (!users.length) return { dormant: [], external: [], directory: false };
  const access = await src.rows('admin_user_product_access', date, undefined, ['account_id', 'product_key']);
  const productsOf = new Map<string, Set<string | null>>();
  const accessCount = new Map<string, number>();
  for (const a of access) {
    const k = `${a.org}\u0000${a.account_id}`;
    productsOf.set(k, (productsOf.get(k) ?? new Set()).add(s(a.product_key)));
    accessCount.set(k, (accessCount.get(k) ?? 0) + 1);
  }
  const activeIn = new Map<string, Set<string>>();
  const mark = (org: unknown, account: unknown, product: string) => {
    const k = `${org}\u0000${account}`;
    activeIn.set(k, (activeIn.get(k) ?? new Set()).add(product));
  };
  for (const u of await src.rows('jira_users', date, (r) => r.active === true, ['account_id'])) mark(u.org, u.account_id, 'jira');
  for (const u of await src.rows('confluence_users', date, (r) => r.account_status === 'active', ['account_id'])) mark(u.org, u.account_id, 'confluence');
  for (const m of await src.rows('bitbucket_workspace_members', date, (r) => r.account_status === 'active' && typeof r.account_id === 'string', ['account_id'])) mark(m.org, m.account_id, 'bitbucket');

  const dormant = new Map<string, DormantRow & { set: Set<string | null> }>();
  const put = (u: Row, reason: DormantRow['reason'], products: Iterable<string | null>, days: number | null) => {
    const k = `${u.org}\u0000${reason}\u0000${u.account_id}`;
    const e = dormant.get(k) ?? { org: String(u.org), reason, account_id: String(u.account_id), name: null, email: null, directory_status: null, days_inactive: null, products: '', set: new Set<string | null>() };
    e.name = maxStr(e.name, s(u.name));
    e.email = maxStr(e.email, s(u.email));
    e.directory_status = maxStr(e.directory_status, s(u.status));
    if (days !== null) e.days_inactive = Math.max(e.days_inactive ?? days, days);
    for (const p of products) e.set.add(p);
    dormant.set(k, e);
  };
  for (const u of users) {
    const k = `${u.org}\u0000${u.account_id}`;
    const last = s(u.last_active);
    const days = last === null ? null : Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${last.slice(0, 10)}T00:00:00Z`)) / DAY);
    const products = productsOf.get(k);
    if (u.status === 'active' && products && (days === null || days >= 90)) put(u, days === null ? 'never_active' : 'inactive_90_days', products, days);
    const active = activeIn.get(k);
    if (active && (u.status === 'suspended' || u.status === 'deactivated' || u.membership_status === 'suspended')) put(u, 'suspended_but_active', active, days);
  }

  const domains = await src.rows('admin_domains', date);
  const orgs = new Set(domains.map((d) => String(d.org)));
  const verified = new Map<string, string[]>();
  for (const d of domains) if (d.claim_status === 'verified' && typeof d.name === 'string') verified.set(String(d.org), [...(verified.get(String(d.org)) ?? []), d.name.toLowerCase()]);
  const external: ExternalRow[] = [];
  for (const u of users) {
    const email = s(u.email);
    const k = `${u.org}\u0000${u.account_id}`;
    if (!orgs.has(String(u.org)) || email === null || !email.includes('@') || !productsOf.has(k)) continue;
    const domain = (email.split('@')[1] ?? '').toLowerCase();
    if ((verified.get(String(u.org)) ?? []).some((v) => domain === v || (domain.length > v.length && domain.endsWith(`.${v}`)))) continue;
    external.push({ org: String(u.org), account_id: String(u.account_id), name: s(u.name), email, email_domain: domain, directory_status: s(u.status), products: sortedJoin(productsOf.get(k) ?? []) });
  }
  return { dormant: [...dormant.values()].map(({ set, ...e }) => ({ ...e, products: sortedJoin(set) })), external, directory: true };
}

const INACTIVE_OWNER = new Set(['suspended', 'deactivated', 'for_deletion']);

/**
 * The flagged rows of sql/views/non_human_access.sql, rule for rule: the directory (admin_users) and the verified
 * domains (admin_domains) are per organization, so every join is on (org) within the date.
 */
async function nonHumanFigures(src: RowSource, date: string): Promise<NonHumanRow[]> {
  const directory = new Map((await src.rows('admin_users', date, undefined, ['account_id', 'name', 'status'])).map((u) => [`${u.org}\u0000${u.account_id}`, u]));
  const verified = new Map<string, string[]>();
  for (const d of await src.rows('admin_domains', date, (r) => r.claim_status === 'verified' && typeof r.name === 'string', ['name'])) {
    verified.set(String(d.org), [...(verified.get(String(d.org)) ?? []), String(d.name).toLowerCase()]);
  }
  const accounts = new Map((await src.rows('admin_service_accounts', date)).map((a) => [`${a.org}\u0000${a.service_account_id}`, a]));
  const dirStatus = (org: unknown, account: unknown): { name: string | null; status: string | null; inactive: boolean | null } => {
    const u = directory.get(`${org}\u0000${account}`);
    const status = u ? s(u.status) : null;
    return { name: u ? s(u.name) : null, status, inactive: status === null ? null : INACTIVE_OWNER.has(status) };
  };
  const saInactive = (a: Row | undefined): boolean | null => (a && typeof a.status === 'string' ? a.status !== 'ACTIVE' : null);
  const days = (since: string | null): number | null => (since === null ? null : Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${since.slice(0, 10)}T00:00:00Z`)) / DAY));
  const NO_UNUSED = new Set(['service_account', 'bitbucket_webhook', 'service_account_oauth_client', 'jsm_ops_integration']);
  const out: NonHumanRow[] = [];
  const put = (
    r: Row,
    c: Omit<NonHumanRow, 'org' | 'days_unused' | 'unused_90_days' | 'external_target' | 'last_used' | 'expires_at' | 'target_host'> & {
      created_at: string | null;
      last_used: string | null;
      expires_at: string | null;
      target_host: string | null;
    },
  ) => {
    const since = c.last_used ?? c.created_at;
    const d = days(since);
    const host = c.target_host?.toLowerCase() ?? null;
    const external =
      c.kind !== 'bitbucket_webhook' || host === null ? null : !(verified.get(String(r.org)) ?? []).some((v) => host === v || host.endsWith(`.${v}`));
    const row: NonHumanRow = {
      org: String(r.org),
      kind: c.kind,
      credential_id: c.credential_id,
      name: c.name,
      scope: c.scope,
      owner_account_id: c.owner_account_id,
      owner_name: c.owner_name,
      owner_status: c.owner_status,
      last_used: c.last_used,
      expires_at: c.expires_at,
      target_host: c.target_host,
      days_unused: d,
      owner_inactive: c.owner_inactive,
      never_expires: c.never_expires,
      unused_90_days: NO_UNUSED.has(c.kind) || d === null ? null : d >= 90,
      external_target: external,
    };
    if (row.owner_inactive === true || row.never_expires === true || row.unused_90_days === true || row.external_target === true) out.push(row);
  };
  for (const t of await src.rows('admin_api_tokens', date)) {
    const o = dirStatus(t.org, t.account_id);
    put(t, {
      kind: 'user_api_token',
      credential_id: String(t.token_id),
      name: s(t.label),
      scope: null,
      owner_account_id: s(t.account_id),
      owner_name: o.name,
      owner_status: o.status,
      created_at: s(t.created_at),
      last_used: s(t.last_access),
      expires_at: s(t.expires_at),
      target_host: null,
      owner_inactive: o.inactive,
      never_expires: s(t.expires_at) === null,
    });
  }
  for (const a of accounts.values()) {
    put(a, {
      kind: 'service_account',
      credential_id: String(a.service_account_id),
      name: s(a.display_name),
      scope: null,
      owner_account_id: s(a.account_id),
      owner_name: s(a.display_name),
      owner_status: s(a.status),
      created_at: null,
      last_used: null,
      expires_at: null,
      target_host: null,
      owner_inactive: saInactive(a),
      never_expires: null,
    });
  }
  for (const t of await src.rows('admin_service_account_api_tokens', date)) {
    const a = accounts.get(`${t.org}\u0000${t.service_account_id}`);
    put(t, {
      kind: 'service_account_api_token',
      credential_id: String(t.token_id),
      name: s(t.label),
      scope: null,
      owner_account_id: a ? s(a.account_id) : null,
      owner_name: a ? s(a.display_name) : null,
      owner_status: a ? s(a.status) : null,
      created_at: s(t.created_at),
      last_used: s(t.last_access),
      expires_at: s(t.expires_at),
      target_host: null,
      owner_inactive: saInactive(a),
      never_expires: s(t.expires_at) === null,
    });
  }
  for (const c of await src.rows('admin_service_account_oauth_clients', date)) {
    const a = accounts.get(`${c.org}\u0000${c.service_account_id}`);
    put(c, {
      kind: 'service_account_oauth_client',
      credential_id: String(c.client_id),
      name: s(c.name),
      scope: null,
      owner_account_id: a ? s(a.account_id) : null,
      owner_name: a ? s(a.display_name) : null,
      owner_status: a ? s(a.status) : null,
      created_at: s(c.created_at),
      last_used: null,
      expires_at: null,
      target_host: null,
      owner_inactive: saInactive(a),
      never_expires: null,
    });
  }
  for (const k of await src.rows('bitbucket_deploy_keys', date)) {
    const o = dirStatus(k.org, k.created_by_account_id);
    put(k, {
      kind: 'bitbucket_deploy_key',
      credential_id: String(k.key_id),
      name: s(k.label),
      scope: s(k.parent_name),
      owner_account_id: s(k.created_by_account_id),
      owner_name: o.name,
      owner_status: o.status,
      created_at: s(k.added_on),
      last_used: s(k.last_used),
      expires_at: null,
      target_host: null,
      owner_inactive: o.inactive,
      never_expires: true,
    });
  }
  for (const h of await src.rows('bitbucket_webhooks', date)) {
    put(h, {
      kind: 'bitbucket_webhook',
      credential_id: String(h.webhook_uuid),
      name: s(h.description),
      scope: s(h.repository_full_name) ?? s(h.workspace_slug),
      owner_account_id: null,
      owner_name: null,
      owner_status: null,
      created_at: s(h.created_at),
      last_used: null,
      expires_at: null,
      target_host: s(h.url_host),
      owner_inactive: null,
      never_expires: null,
    });
  }
  // JSM operations integrations carry no flag the view can set (no owner, use or expiry is reported): never listed.
  return out;
}

/** The report's figures for `date` (default: the latest snapshot), computed from the rows. */
export async function reportDataFromRows(src: RowSource, at?: string): Promise<ReportData | undefined> {
  const dates = await src.dates();
  const date = at ?? dates[dates.length - 1];
  if (!date) return undefined;
  const previous = dates.filter((d) => d < date).pop() ?? null;
  const cover = await coverage(src, date, previous);
  const now = await privileged(src, date);
  const before = previous ? await privileged(src, previous) : [];
  const dir = await directoryFigures(src, date);
  const nonHuman = await nonHumanFigures(src, date);
  const logged = previous ? dates : [];
  const explained = changes(now, before, cover, await auditEvents(src, logged), await snapshotTimes(src, previous ? [previous, date] : []), date, previous);
  return normalize({ date, previous, coverage: cover, admins: await admins(src, date, now), changes: explained, nonHuman, ...dir });
}
