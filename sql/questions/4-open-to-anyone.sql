-- @question What is open to anyone?
-- @param date the snapshot date, yyyy-MM-dd
-- @description Jira permissions granted to anyone (anonymous included), Confluence spaces open to an access class (anonymous or every licensed user), public Bitbucket repositories.
SELECT e.org, e.product, e.site, e.resource_key, e.resource_name, e.permission, e.principal_id AS who
FROM effective_access e
WHERE e.dt = ?
  AND e.principal_type IN ('anyone', 'access_class')
ORDER BY e.org, e.product, e.resource_key, e.permission
