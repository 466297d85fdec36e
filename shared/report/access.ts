import type { SqlEngine, SqlRow } from '../sql/duckdb.ts';

/**
 * Who reaches which project, space or repository, and how: the rows behind the report's person and resource
 * views and behind "project admin (3)". From the `effective_access` view (so the same SQL runs in Athena), one row
 * per (resource, principal): Jira reduced to what "reach" means there (BROWSE_PROJECTS, and ADMINISTER_PROJECTS
 * as `admin`; other project permissions stay in jira_effective_permissions), Confluence's access level and
 * Bitbucket's permission as they are. Issue-dependent Jira holders (`conditional`) are left out: they name no one.
 * Projects in Jira's trash are left out, as in the administrators table.
 */
export interface AccessRow {
  org: string;
  product: string;
  site: string;
  /** project | space | repository */
  resource_type: string;
  resource_key: string;
  resource_name: string | null;
  /** Jira: admin | browse; Confluence: admin | edit | view; Bitbucket: admin | write | read. */
  level: string;
  privileged: boolean;
  /** account | group | anyone | access_class */
  principal_type: string;
  principal_id: string;
  display_name: string | null;
  active: boolean | null;
  /** How: the views' `via`, distinct values ', '-joined (e.g. `group, project_role_group`). */
  via: string;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function accessQuery(date: string): string {
  const d = lit(date);
  return `SELECT e.org, e.product, e.site, e.resource_type, e.resource_key, max(e.resource_name) AS resource_name,
       CASE WHEN e.product = 'jira' THEN (CASE WHEN bool_or(e.privileged) THEN 'admin' ELSE 'browse' END) ELSE max(e.permission) END AS level,
       bool_or(e.privileged) AS privileged, e.principal_type, e.principal_id, max(e.display_name) AS display_name,
       bool_or(e.account_active) AS active, array_join(array_sort(array_distinct(array_agg(e.via))), ', ') AS via
FROM effective_access e
LEFT JOIN (SELECT org, site, project_id FROM jira_projects WHERE dt = ${d} AND deleted) t
  ON e.product = 'jira' AND t.org = e.org AND t.site = e.site AND t.project_id = e.resource_id
WHERE e.dt = ${d} AND e.principal_type <> 'conditional' AND t.project_id IS NULL
  AND (e.product <> 'jira' OR e.permission IN ('BROWSE_PROJECTS', 'ADMINISTER_PROJECTS'))
GROUP BY e.org, e.product, e.site, e.resource_type, e.resource_id, e.resource_key, e.principal_type, e.principal_id
ORDER BY e.org, e.product, e.site, e.resource_key, e.principal_type, e.principal_id`;
}

const str = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));

/** The access rows of `date`, by SQL (DuckDB locally; the same query runs on Athena). */
export async function reportAccessFromSql(engine: SqlEngine, date: string): Promise<AccessRow[]> {
  const { rows } = await engine.query(accessQuery(date));
  return rows.map((r) => ({
    org: String(r.org),
    product: String(r.product),
    site: String(r.site),
    resource_type: String(r.resource_type),
    resource_key: String(r.resource_key ?? ''),
    resource_name: str(r.resource_name),
    level: String(r.level),
    privileged: r.privileged === true,
    principal_type: String(r.principal_type),
    principal_id: String(r.principal_id),
    display_name: str(r.display_name),
    active: typeof r.active === 'boolean' ? r.active : null,
    via: String(r.via ?? ''),
  }));
}
