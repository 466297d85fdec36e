/**
 * The figures of the access report, produced two ways that must agree (a test checks they are equal):
 * by SQL over the views (`npm run report`, DuckDB) and by TypeScript over the published NDJSON (the
 * workflow's finalize step, which has no DuckDB). Rows are sorted so both give the same order.
 */

export type ReportProduct = 'jira' | 'confluence' | 'bitbucket' | 'organization';

/** A snapshot of one site that the report covers. */
export interface CoverageRow {
  org: string;
  product: string;
  site: string;
  /** Has a snapshot on the report date. */
  on_date: boolean;
  /** Has a snapshot on the previous date. */
  on_previous: boolean;
}

/** Someone who administers something. */
export interface AdminRow {
  org: string;
  product: ReportProduct;
  site: string;
  account_id: string;
  display_name: string | null;
  /** project admin | space admin | repository admin | group <name> | org role <role> */
  role: string;
  /** Projects, spaces or repositories administered; null for group and org roles. */
  scope: number | null;
  /** null when the product does not say. */
  active: boolean | null;
}

/** Privileged access that appeared or disappeared since the previous snapshot. */
export interface ChangeRow {
  org: string;
  product: string;
  site: string;
  change: 'added' | 'removed';
  resource_key: string | null;
  resource_name: string | null;
  permission: string;
  principal_type: string;
  principal_id: string;
  display_name: string | null;
  /**
   * From access_changes_explained: whether an audit event between the two snapshots explains the change
   * (same principal, and the same resource or a group on the path), and if so who made it, how and when.
   */
  explanation: 'explained' | 'unexplained';
  /** Account ids (Confluence: display names when the record has none) of who made it, ', '-separated; null when unexplained. */
  actor: string | null;
  /** The events' actions, ', '-separated, e.g. User added to group; null when unexplained. */
  action: string | null;
  /** ISO-8601 time of the latest explaining event; null when unexplained. */
  event_time: string | null;
}

export interface DormantRow {
  org: string;
  reason: 'inactive_90_days' | 'never_active' | 'suspended_but_active';
  account_id: string;
  name: string | null;
  email: string | null;
  directory_status: string | null;
  days_inactive: number | null;
  /** Products concerned, ', '-separated. */
  products: string;
}

export interface ExternalRow {
  org: string;
  account_id: string;
  name: string | null;
  email: string | null;
  email_domain: string;
  directory_status: string | null;
  products: string;
}

/**
 * A credential that belongs to no person (a row of the view non_human_access) with at least one flag set: owner
 * suspended or deactivated, never expires, unused for 90 days, or a webhook to a host outside the verified domains.
 */
export interface NonHumanRow {
  org: string;
  /** user_api_token | service_account | service_account_api_token | service_account_oauth_client | bitbucket_deploy_key | bitbucket_webhook | jsm_ops_integration */
  kind: string;
  credential_id: string;
  name: string | null;
  scope: string | null;
  owner_account_id: string | null;
  owner_name: string | null;
  owner_status: string | null;
  last_used: string | null;
  expires_at: string | null;
  target_host: string | null;
  days_unused: number | null;
  owner_inactive: boolean | null;
  never_expires: boolean | null;
  unused_90_days: boolean | null;
  external_target: boolean | null;
}

export interface ReportData {
  /** The snapshot the report describes (latest in the folder or bucket, or the run's date). */
  date: string;
  /** The snapshot before it, or null. */
  previous: string | null;
  coverage: CoverageRow[];
  admins: AdminRow[];
  changes: ChangeRow[];
  dormant: DormantRow[];
  external: ExternalRow[];
  /** Flagged non-human access (tokens, keys, service accounts, OAuth clients, webhooks, integrations). */
  nonHuman: NonHumanRow[];
  /** True when some org's directory (admin product) was collected: dormant and external need it. */
  directory: boolean;
}

const cmp = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return String(a) < String(b) ? -1 : 1;
};

/** Sort rows by the given columns (nulls first): the one order both producers use. */
export function sortRows<T extends object>(rows: T[], cols: readonly (keyof T)[]): T[] {
  return rows.sort((x, y) => {
    for (const c of cols) {
      const d = cmp(x[c], y[c]);
      if (d) return d;
    }
    return 0;
  });
}

export const ADMIN_ORDER = ['org', 'product', 'site', 'role', 'account_id'] as const;
export const CHANGE_ORDER = ['org', 'product', 'site', 'change', 'resource_key', 'permission', 'principal_type', 'principal_id'] as const;
export const DORMANT_ORDER = ['org', 'reason', 'account_id'] as const;
export const EXTERNAL_ORDER = ['org', 'email_domain', 'account_id'] as const;
export const COVERAGE_ORDER = ['org', 'product', 'site'] as const;
export const NON_HUMAN_ORDER = ['org', 'kind', 'scope', 'credential_id'] as const;

/** Sort every list of a report the canonical way. */
export function normalize(d: ReportData): ReportData {
  return {
    ...d,
    coverage: sortRows([...d.coverage], COVERAGE_ORDER),
    admins: sortRows([...d.admins], ADMIN_ORDER),
    changes: sortRows([...d.changes], CHANGE_ORDER),
    dormant: sortRows([...d.dormant], DORMANT_ORDER),
    external: sortRows([...d.external], EXTERNAL_ORDER),
    nonHuman: sortRows([...d.nonHuman], NON_HUMAN_ORDER),
  };
}
