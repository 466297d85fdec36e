import type { SqlRow } from '../sql/duckdb.ts';
import type { QueryRunner } from '../sql/runner.ts';
import { normalize, type AdminRow, type ChangeRow, type CoverageRow, type DormantRow, type ExternalRow, type NonHumanRow, type ReportData } from './data.ts';

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The report's queries over the views, for `date` and the snapshot before it. Dialect-neutral like the views. */
export function reportQueries(date: string, previous: string | null) {
  const d = lit(date);
  const p = previous ? lit(previous) : 'NULL';
  return {
    coverage: `SELECT org, product, site, bool_or(dt = ${d}) AS on_date, coalesce(bool_or(dt = ${p}), false) AS on_previous
FROM (
  SELECT DISTINCT dt, org, 'jira' AS product, site FROM jira_settings
  UNION SELECT DISTINCT dt, org, 'confluence', site FROM confluence_settings
  UNION SELECT DISTINCT dt, org, 'bitbucket', site FROM bitbucket_workspaces
  UNION SELECT DISTINCT dt, org, 'organization', site FROM admin_orgs
) s
WHERE dt = ${d} OR dt = ${p}
GROUP BY org, product, site`,
    admins: `SELECT org, 'jira' AS product, site, account_id, max(display_name) AS display_name, 'project admin' AS role,
       count(DISTINCT project_id) AS scope, bool_or(account_active) AS active
FROM jira_effective_permissions
WHERE dt = ${d} AND permission = 'ADMINISTER_PROJECTS' AND principal_type = 'account' AND NOT project_deleted
GROUP BY org, site, account_id
UNION ALL
SELECT org, product, site, account_id, display_name, 'group ' || group_name, CAST(NULL AS bigint), active
FROM privileged_group_members
WHERE dt = ${d}
UNION ALL
SELECT org, 'confluence', site, account_id, max(display_name), 'space admin', count(DISTINCT space_id),
       CASE WHEN max(account_status) IS NULL THEN CAST(NULL AS boolean) ELSE max(account_status) = 'active' END
FROM confluence_effective_space_access
WHERE dt = ${d} AND access_level = 'admin' AND principal_type = 'account'
GROUP BY org, site, account_id
UNION ALL
SELECT org, 'bitbucket', site, principal_id, coalesce(max(display_name), max(group_slug)),
       CASE WHEN principal_type = 'group' THEN 'repository admin group' ELSE 'repository admin' END, count(DISTINCT repository_uuid),
       CASE WHEN max(account_status) IS NULL THEN CAST(NULL AS boolean) ELSE max(account_status) = 'active' END
FROM bitbucket_effective_repository_access
WHERE dt = ${d} AND permission = 'admin' AND principal_type IN ('user', 'group')
GROUP BY org, site, principal_type, principal_id
UNION ALL
SELECT u.org, 'organization', u.site, u.account_id, u.name, 'org role ' || r.role, CAST(NULL AS bigint),
       CASE WHEN u.status IS NULL THEN CAST(NULL AS boolean) ELSE u.status = 'active' END
FROM admin_users u
CROSS JOIN UNNEST(u.platform_roles) AS r (role)
WHERE u.dt = ${d}`,
    changes: previous
      ? // One row per change of access_changes, with the audit events access_changes_explained ties to it, aggregated
        // (FILTER: no engine's null handling in arrays is relied on; no event leaves the aggregate and the list null).
        `SELECT org, product, site, change, resource_key, resource_name, permission, principal_type, principal_id, display_name,
       CASE WHEN bool_or(explanation = 'explained') THEN 'explained' ELSE 'unexplained' END AS explanation,
       array_join(array_sort(array_distinct(array_agg(actor) FILTER (WHERE actor IS NOT NULL))), ', ') AS actor,
       array_join(array_sort(array_distinct(array_agg(action) FILTER (WHERE action IS NOT NULL))), ', ') AS action,
       max(event_time) AS event_time
FROM access_changes_explained WHERE from_dt = ${p} AND to_dt = ${d} AND privileged
GROUP BY org, product, site, change, resource_type, resource_id, resource_key, resource_name, permission, principal_type, principal_id, display_name, via`
      : undefined,
    dormant: `SELECT org, reason, account_id, max(name) AS name, max(email) AS email, max(directory_status) AS directory_status,
       max(days_inactive) AS days_inactive, array_join(array_sort(array_distinct(array_agg(product))), ', ') AS products
FROM dormant_access WHERE dt = ${d}
GROUP BY org, reason, account_id`,
    external: `SELECT org, account_id, name, email, email_domain, directory_status, products FROM external_access WHERE dt = ${d}`,
    directory: `SELECT count(*) > 0 AS directory FROM admin_users WHERE dt = ${d}`,
    nonHuman: `SELECT org, kind, credential_id, name, scope, owner_account_id, owner_name, owner_status, last_used, expires_at, target_host,
       days_unused, owner_inactive, never_expires, unused_90_days, external_target
FROM non_human_access
WHERE dt = ${d} AND (coalesce(owner_inactive, false) OR coalesce(never_expires, false) OR coalesce(unused_90_days, false) OR coalesce(external_target, false))`,
  };
}

const str = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SqlRow[string] | undefined): number | null => (typeof v === 'number' ? v : null);
const bool = (v: SqlRow[string] | undefined): boolean | null => (typeof v === 'boolean' ? v : null);

/**
 * The report's figures from SQL (the views) through a query runner: DuckDB over a local folder
 * (`npm run report`) or Athena in the stack's workgroup (the workflow's Report state). Same text on both.
 */
export async function reportDataFromSql(runner: QueryRunner, date: string, previous: string | null): Promise<ReportData> {
  const q = reportQueries(date, previous);
  const rows = async (name: keyof typeof q) => {
    const sql = q[name];
    return sql ? runner.run(`report ${name}`, sql) : [];
  };
  const coverage: CoverageRow[] = (await rows('coverage')).map((r) => ({ org: String(r.org), product: String(r.product), site: String(r.site), on_date: r.on_date === true, on_previous: r.on_previous === true }));
  const admins: AdminRow[] = (await rows('admins')).map((r) => ({
    org: String(r.org),
    product: String(r.product) as AdminRow['product'],
    site: String(r.site),
    account_id: String(r.account_id),
    display_name: str(r.display_name),
    role: String(r.role),
    scope: num(r.scope),
    active: bool(r.active),
  }));
  const changes: ChangeRow[] = (await rows('changes')).map((r) => ({
    org: String(r.org),
    product: String(r.product),
    site: String(r.site),
    change: r.change === 'added' ? 'added' : 'removed',
    resource_key: str(r.resource_key),
    resource_name: str(r.resource_name),
    permission: String(r.permission),
    principal_type: String(r.principal_type),
    principal_id: String(r.principal_id),
    display_name: str(r.display_name),
    explanation: r.explanation === 'explained' ? 'explained' : 'unexplained',
    actor: str(r.actor),
    action: str(r.action),
    event_time: str(r.event_time),
  }));
  const dormant: DormantRow[] = (await rows('dormant')).map((r) => ({
    org: String(r.org),
    reason: String(r.reason) as DormantRow['reason'],
    account_id: String(r.account_id),
    name: str(r.name),
    email: str(r.email),
    directory_status: str(r.directory_status),
    days_inactive: num(r.days_inactive),
    products: String(r.products ?? ''),
  }));
  const external: ExternalRow[] = (await rows('external')).map((r) => ({
    org: String(r.org),
    account_id: String(r.account_id),
    name: str(r.name),
    email: str(r.email),
    email_domain: String(r.email_domain ?? ''),
    directory_status: str(r.directory_status),
    products: String(r.products ?? ''),
  }));
  const directory = (await rows('directory'))[0]?.directory === true;
  const nonHuman: NonHumanRow[] = (await rows('nonHuman')).map((r) => ({
    org: String(r.org),
    kind: String(r.kind),
    credential_id: String(r.credential_id),
    name: str(r.name),
    scope: str(r.scope),
    owner_account_id: str(r.owner_account_id),
    owner_name: str(r.owner_name),
    owner_status: str(r.owner_status),
    last_used: str(r.last_used),
    expires_at: str(r.expires_at),
    target_host: str(r.target_host),
    days_unused: num(r.days_unused),
    owner_inactive: bool(r.owner_inactive),
    never_expires: bool(r.never_expires),
    unused_90_days: bool(r.unused_90_days),
    external_target: bool(r.external_target),
  }));
  return normalize({ date, previous, coverage, admins, changes, dormant, external, nonHuman, directory });
}
