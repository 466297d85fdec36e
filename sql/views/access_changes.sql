-- @view access_changes
-- @description Access that appeared or disappeared between two snapshots: one row per (from_dt, to_dt, product,
-- @description site, resource, permission, principal) present on one date and not on the other, for every pair
-- @description of dates on which the site has a snapshot (a site whose collection failed on a date is not
-- @description compared on it, so a failed run never reads as everything removed). Always filter on from_dt and
-- @description to_dt: both are pushed down to the partitions, so a query reads two days, e.g.
-- @description WHERE from_dt = '2026-11-27' AND to_dt = '2026-11-28' AND change = 'added' AND privileged.
-- @description (A row of effective_access is unique per date and key, so a key seen once in the pair changed.)
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
-- @column via varchar how the access was granted (on to_dt when added, on from_dt when removed)
WITH pairs AS (
  SELECT f.org, f.product, f.site, f.dt AS from_dt, t.dt AS to_dt
  FROM snapshots f
  JOIN snapshots t ON t.org = f.org AND t.product = f.product AND t.site = f.site AND f.dt < t.dt
  WHERE f.product IN ('jira', 'confluence', 'bitbucket')
),
-- Each pair's two dates as rows, so effective_access is read once: reading it once per side doubled the plan
-- past Trino's limit of 150 stages (query.max-stage-count, "Number of stages in the query exceeds the allowed
-- maximum"), which Athena, built on Trino, enforces too. The dates reach the partitions through the join's dynamic filter.
pair_dates AS (
  SELECT org, product, site, from_dt, to_dt, 'from' AS side, from_dt AS dt FROM pairs
  UNION ALL
  SELECT org, product, site, from_dt, to_dt, 'to' AS side, to_dt AS dt FROM pairs
),
sides AS (
  SELECT d.from_dt, d.to_dt, d.side, e.*
  FROM pair_dates d
  JOIN effective_access e ON e.dt = d.dt AND e.org = d.org AND e.product = d.product AND e.site = d.site
)
SELECT from_dt, to_dt, org, product, site, CASE WHEN max(side) = 'to' THEN 'added' ELSE 'removed' END AS change,
       resource_type, resource_id, max(resource_key) AS resource_key, max(resource_name) AS resource_name, permission,
       privileged, principal_type, principal_id, max(account_id) AS account_id,
       max(display_name) AS display_name, max(via) AS via
FROM sides
-- privileged depends on (product, permission) only; grouping on it lets a filter on it reach the product views.
GROUP BY from_dt, to_dt, org, product, site, resource_type, resource_id, permission, privileged, principal_type, principal_id
HAVING count(*) = 1
