-- @view dormant_access
-- @description Access that should not be there, from the organization directory (the admin product): accounts
-- @description that keep product access but have not used any product for 90 days or more, or never (reason
-- @description inactive_90_days, never_active; directory last-active), and accounts that a product still lists
-- @description as active while the directory has them suspended or deactivated (reason suspended_but_active).
-- @description For another threshold filter on days_inactive (e.g. >= 180); below 90, change the 90 here.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column reason varchar inactive_90_days | never_active | suspended_but_active
-- @column account_id varchar
-- @column name varchar directory name
-- @column email varchar
-- @column directory_status varchar active | suspended | deactivated | ... (admin_users.status)
-- @column membership_status varchar active | suspended | no_membership
-- @column last_active varchar directory last-active (ISO-8601), null when never active
-- @column days_inactive bigint days from last_active to the snapshot date; null when never active
-- @column product varchar
-- @column site varchar product site host
-- @column product_last_active varchar last use of that product instance, when the directory knows it
WITH directory AS (
  SELECT dt, org, account_id, name, email, status, membership_status, last_active,
         date_diff('day', CAST(substr(last_active, 1, 10) AS date), CAST(dt AS date)) AS days_inactive
  FROM admin_users
),
product_access AS (
  SELECT a.dt, a.org, a.account_id, a.product_key, split_part(w.host_url, '/', 3) AS site, max(a.last_active) AS product_last_active
  FROM admin_user_product_access a
  LEFT JOIN admin_workspaces w ON w.dt = a.dt AND w.org = a.org AND w.cloud_id = a.cloud_id AND w.type = a.product_key
  GROUP BY a.dt, a.org, a.account_id, a.product_key, split_part(w.host_url, '/', 3)
),
product_active AS (
  SELECT dt, org, 'jira' AS product, site, account_id FROM jira_users WHERE active
  UNION
  SELECT dt, org, 'confluence', site, account_id FROM confluence_users WHERE account_status = 'active'
  UNION
  SELECT dt, org, 'bitbucket', site, account_id FROM bitbucket_workspace_members WHERE account_status = 'active' AND account_id IS NOT NULL
)
SELECT d.dt, d.org, CASE WHEN d.last_active IS NULL THEN 'never_active' ELSE 'inactive_90_days' END AS reason,
       d.account_id, d.name, d.email, d.status AS directory_status, d.membership_status, d.last_active, d.days_inactive,
       a.product_key AS product, a.site, a.product_last_active
FROM directory d
JOIN product_access a ON a.dt = d.dt AND a.org = d.org AND a.account_id = d.account_id
WHERE d.status = 'active' AND (d.last_active IS NULL OR d.days_inactive >= 90)
UNION ALL
SELECT d.dt, d.org, 'suspended_but_active', d.account_id, d.name, d.email, d.status, d.membership_status, d.last_active, d.days_inactive,
       p.product, p.site, CAST(NULL AS varchar)
FROM directory d
JOIN product_active p ON p.dt = d.dt AND p.org = d.org AND p.account_id = d.account_id
WHERE d.status IN ('suspended', 'deactivated') OR d.membership_status = 'suspended'
