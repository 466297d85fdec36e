-- @question Who can administer what, and why?
-- @param date the snapshot date, yyyy-MM-dd
-- @description Every account (and Bitbucket group, named by its slug) with administration of a Jira project, a Confluence space or a Bitbucket repository on a date, with how it is granted. Add e.g. AND resource_key = 'PAY' for one project.
SELECT e.org, e.product, e.site, e.resource_key, e.principal_type, coalesce(e.display_name, e.principal_id) AS principal,
       e.account_id, e.account_active, e.via
FROM effective_access e
WHERE e.dt = ?
  AND e.privileged AND e.principal_type IN ('account', 'group')
ORDER BY e.org, e.product, e.resource_key, principal
