-- @view access_changes_explained
-- @description Each row of access_changes with the audit events that explain it: one row per (change, event) whose
-- @description event happened between the two snapshots (after the earlier collection, up to the later one) and is
-- @description about the same principal and the same resource, or a group on the path that grants (added) or granted
-- @description (removed) the access; one row with explanation 'unexplained' when no event matches. Events come from
-- @description jira_audit_records (Jira changes), confluence_audit_records (Confluence changes, matched on display
-- @description name and space name: Confluence's audit log gives no ids) and admin_audit_events (organization
-- @description events: group membership, for any product of the org). Filter on from_dt and to_dt like access_changes.
-- @column from_dt varchar the earlier snapshot
-- @column to_dt varchar the later snapshot
-- @column org varchar organization id
-- @column product varchar jira | confluence | bitbucket
-- @column site varchar
-- @column change varchar added | removed
-- @column resource_type varchar project | space | repository
-- @column resource_id varchar
-- @column resource_key varchar
-- @column resource_name varchar
-- @column permission varchar
-- @column privileged boolean
-- @column principal_type varchar
-- @column principal_id varchar
-- @column account_id varchar
-- @column display_name varchar
-- @column via varchar
-- @column explanation varchar explained | unexplained
-- @column event_source varchar jira_audit_records | confluence_audit_records | admin_audit_events; null when unexplained
-- @column event_id varchar
-- @column event_time varchar ISO-8601
-- @column actor varchar account id of who made the change (Confluence: display name when the record has no account id)
-- @column action varchar the event's action or summary, e.g. User added to group
-- @column matched_on varchar resource | group: what besides the principal ties the event to the change
WITH bounds AS (
  -- When each snapshot was taken: the unit's own row, else the time its settings were read.
  SELECT dt, org, product, site, max(collected_at) AS collected_at
  FROM (
    SELECT dt, org, replace(product, '-dc', '') AS product, site, collected_at FROM collector_units
    UNION ALL
    SELECT dt, org, 'jira', site, collected_at FROM jira_settings
    UNION ALL
    SELECT dt, org, 'confluence', site, collected_at FROM confluence_settings
  ) s
  GROUP BY dt, org, product, site
),
events AS (
  SELECT org, 'jira' AS product, site, 'jira_audit_records' AS source, event_id, event_time, actor_account_id AS actor, action,
         affected_account_ids AS principals, group_ids AS groups, resource_ids AS resources
  FROM jira_audit_records
  UNION ALL
  SELECT org, 'confluence', site, 'confluence_audit_records', event_id, event_time, coalesce(actor_account_id, actor_name), action,
         affected_names, group_names, resource_names
  FROM confluence_audit_records
  UNION ALL
  SELECT org, 'admin', site, 'admin_audit_events', event_id, event_time, actor_account_id, action,
         affected_account_ids, group_ids, resource_ids
  FROM admin_audit_events
),
-- One row per (event, principal, object): the arrays unnested once, so the match is plain equality.
event_ties AS (
  SELECT e.org, e.product, e.site, e.source, e.event_id, e.event_time, e.actor, e.action, p.principal, 'resource' AS kind, r.value
  FROM events e
  CROSS JOIN UNNEST(e.principals) AS p (principal)
  CROSS JOIN UNNEST(e.resources) AS r (value)
  UNION ALL
  SELECT e.org, e.product, e.site, e.source, e.event_id, e.event_time, e.actor, e.action, p.principal, 'group', g.value
  FROM events e
  CROSS JOIN UNNEST(e.principals) AS p (principal)
  CROSS JOIN UNNEST(e.groups) AS g (value)
),
changes AS (
  SELECT c.*, coalesce(bf.collected_at, c.from_dt) AS after_time, coalesce(bt.collected_at, c.to_dt || 'T23:59:59.999Z') AS until_time,
         CASE WHEN c.product = 'confluence' THEN c.display_name ELSE coalesce(c.account_id, c.principal_id) END AS principal_ref,
         -- the path on the date the access existed: the later snapshot for an addition, the earlier for a removal
         j.paths
  FROM access_changes c
  LEFT JOIN bounds bf ON bf.dt = c.from_dt AND bf.org = c.org AND bf.product = c.product AND bf.site = c.site
  LEFT JOIN bounds bt ON bt.dt = c.to_dt AND bt.org = c.org AND bt.product = c.product AND bt.site = c.site
  LEFT JOIN jira_effective_permissions j
    ON c.product = 'jira' AND j.dt = CASE WHEN c.change = 'added' THEN c.to_dt ELSE c.from_dt END AND j.org = c.org AND j.site = c.site
   AND j.project_id = c.resource_id AND j.permission = c.permission AND j.account_id = c.account_id
)
SELECT DISTINCT c.from_dt, c.to_dt, c.org, c.product, c.site, c.change, c.resource_type, c.resource_id, c.resource_key, c.resource_name,
       c.permission, c.privileged, c.principal_type, c.principal_id, c.account_id, c.display_name, c.via,
       CASE WHEN t.event_id IS NULL THEN 'unexplained' ELSE 'explained' END AS explanation,
       t.source AS event_source, t.event_id, t.event_time, t.actor, t.action, t.kind AS matched_on
FROM changes c
LEFT JOIN event_ties t
  ON t.org = c.org
 AND (t.product = 'admin' OR (t.product = c.product AND t.site = c.site))
 AND t.event_time > c.after_time AND t.event_time <= c.until_time
 AND (t.principal = c.principal_ref OR t.principal = c.account_id)
 AND ((t.kind = 'resource' AND t.value IN (c.resource_id, c.resource_name))
      OR (t.kind = 'group' AND strpos(coalesce(c.paths, ''), 'group=' || t.value) > 0))
