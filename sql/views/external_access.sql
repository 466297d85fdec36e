-- @view external_access
-- @description Accounts with product access whose e-mail domain is not one of the organization's verified
-- @description domains (admin_domains, claim_status verified; subdomains of a verified domain count as verified).
-- @description Only organizations whose directory was collected (admin product) appear: without their domains,
-- @description internal and external cannot be told apart.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column account_id varchar
-- @column name varchar
-- @column email varchar
-- @column email_domain varchar
-- @column directory_status varchar admin_users.status
-- @column claim_status varchar managed | unmanaged
-- @column products varchar product keys the account has access to, ', '-separated
-- @column product_count bigint product instances
WITH verified AS (
  SELECT DISTINCT dt, org, lower(name) AS domain FROM admin_domains WHERE claim_status = 'verified' AND name IS NOT NULL
),
orgs AS (
  SELECT DISTINCT dt, org FROM admin_domains
),
accounts AS (
  SELECT u.dt, u.org, u.account_id, u.name, u.email, lower(split_part(u.email, '@', 2)) AS email_domain, u.status, u.claim_status
  FROM admin_users u
  JOIN orgs o ON o.dt = u.dt AND o.org = u.org
  WHERE u.email IS NOT NULL AND strpos(u.email, '@') > 0
),
access AS (
  SELECT dt, org, account_id, array_join(array_sort(array_distinct(array_agg(product_key))), ', ') AS products, count(*) AS product_count
  FROM admin_user_product_access
  GROUP BY dt, org, account_id
)
SELECT a.dt, a.org, a.account_id, a.name, a.email, a.email_domain, a.status AS directory_status, a.claim_status, x.products, x.product_count
FROM accounts a
JOIN access x ON x.dt = a.dt AND x.org = a.org AND x.account_id = a.account_id
WHERE NOT EXISTS (
  SELECT 1 FROM verified v
  WHERE v.dt = a.dt AND v.org = a.org
    AND (a.email_domain = v.domain
         OR (length(a.email_domain) > length(v.domain) AND substr(a.email_domain, length(a.email_domain) - length(v.domain)) = '.' || v.domain))
)
