-- @view identities
-- @description One row per person (Atlassian account id) per snapshot and org, across every product: where the
-- @description account exists (products, sites), the directory's e-mail (or a product's, when the directory
-- @description has none), name, status and last activity, and a flag when a product still has the account
-- @description active while the organization directory has it suspended or deactivated. The join key is
-- @description account_id, the only identifier every product shares (e-mails are hidden per profile).
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column account_id varchar Atlassian account id
-- @column name varchar directory name, else a product display name
-- @column email varchar directory e-mail, else one a product shows; null when every source hides it
-- @column email_source varchar directory | product | null
-- @column in_directory boolean the organization directory (admin_users) lists the account
-- @column directory_status varchar admin_users.status: active | suspended | deactivated | ...
-- @column directory_membership_status varchar admin_users.membership_status
-- @column directory_last_active varchar directory last-active (ISO-8601)
-- @column products array(varchar) products where the account exists (jira, confluence, bitbucket)
-- @column sites array(varchar) sites (hosts) where the account exists
-- @column in_jira boolean
-- @column in_confluence boolean
-- @column in_bitbucket boolean
-- @column active_in_a_product boolean some product lists the account as active
-- @column active_while_suspended boolean active in a product while suspended or deactivated in the directory
WITH product_accounts AS (
  SELECT dt, org, 'jira' AS product, site, account_id, active, email_address AS email, display_name AS name
  FROM jira_users
  UNION ALL
  SELECT dt, org, 'confluence' AS product, site, account_id, account_status = 'active' AS active, email, display_name AS name
  FROM confluence_users
  UNION ALL
  -- Bitbucket never returns e-mails by default (facts sheet Q4); users without an account id cannot be joined.
  SELECT dt, org, 'bitbucket' AS product, site, account_id, coalesce(account_status, 'active') = 'active' AS active, CAST(NULL AS varchar) AS email, display_name AS name
  FROM bitbucket_workspace_members
  WHERE account_id IS NOT NULL
),
by_account AS (
  SELECT dt, org, account_id,
         array_sort(array_agg(DISTINCT product)) AS products,
         array_sort(array_agg(DISTINCT site)) AS sites,
         bool_or(product = 'jira') AS in_jira,
         bool_or(product = 'confluence') AS in_confluence,
         bool_or(product = 'bitbucket') AS in_bitbucket,
         bool_or(active) AS active_in_a_product,
         max(email) AS product_email,
         max(name) AS product_name
  FROM product_accounts
  GROUP BY dt, org, account_id
),
directory AS (
  SELECT dt, org, account_id, max(name) AS name, max(email) AS email, max(status) AS status,
         max(membership_status) AS membership_status, max(last_active) AS last_active
  FROM admin_users
  GROUP BY dt, org, account_id
),
people AS (
  SELECT dt, org, account_id FROM by_account
  UNION
  SELECT dt, org, account_id FROM directory
)
SELECT p.dt, p.org, p.account_id,
       coalesce(d.name, a.product_name) AS name,
       coalesce(d.email, a.product_email) AS email,
       CASE WHEN d.email IS NOT NULL THEN 'directory' WHEN a.product_email IS NOT NULL THEN 'product' END AS email_source,
       d.account_id IS NOT NULL AS in_directory,
       d.status AS directory_status,
       d.membership_status AS directory_membership_status,
       d.last_active AS directory_last_active,
       a.products,
       a.sites,
       coalesce(a.in_jira, false) AS in_jira,
       coalesce(a.in_confluence, false) AS in_confluence,
       coalesce(a.in_bitbucket, false) AS in_bitbucket,
       coalesce(a.active_in_a_product, false) AS active_in_a_product,
       coalesce(a.active_in_a_product, false)
         AND coalesce(d.status IN ('suspended', 'deactivated') OR d.membership_status = 'suspended', false) AS active_while_suspended
FROM people p
LEFT JOIN by_account a ON a.dt = p.dt AND a.org = p.org AND a.account_id = p.account_id
LEFT JOIN directory d ON d.dt = p.dt AND d.org = p.org AND d.account_id = p.account_id
