-- @view effective_access
-- @description Every product's effective access in one shape: one row per (snapshot, product, site, resource,
-- @description permission, principal), from jira_effective_permissions (project permissions),
-- @description confluence_effective_space_access (the space's access level) and bitbucket_effective_repository_access
-- @description (the repository's permission). privileged marks administration: Jira ADMINISTER_PROJECTS,
-- @description Confluence space admin, Bitbucket repository admin. The input of access_changes.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column product varchar jira | confluence | bitbucket
-- @column site varchar
-- @column resource_type varchar project | space | repository
-- @column resource_id varchar
-- @column resource_key varchar project key, space key, repository full name
-- @column resource_name varchar
-- @column permission varchar Jira permission key, Confluence access level, Bitbucket permission
-- @column privileged boolean administration of the resource
-- @column principal_type varchar account | group | anyone | access_class | conditional
-- @column principal_id varchar account id, group slug, access class, or the principal type for anyone and conditional rows
-- @column account_id varchar
-- @column display_name varchar
-- @column account_active boolean null when unknown or not an account
-- @column via varchar
SELECT dt, org, 'jira' AS product, site, 'project' AS resource_type, project_id AS resource_id, project_key AS resource_key,
       project_name AS resource_name, permission, permission = 'ADMINISTER_PROJECTS' AS privileged,
       principal_type, coalesce(account_id, principal_type) AS principal_id, account_id, display_name, account_active, via
FROM jira_effective_permissions
UNION ALL
SELECT dt, org, 'confluence', site, 'space', space_id, space_key, space_name, access_level, access_level = 'admin',
       principal_type, principal_id, account_id, display_name,
       CASE WHEN account_status IS NULL THEN CAST(NULL AS boolean) ELSE account_status = 'active' END, via
FROM confluence_effective_space_access
UNION ALL
SELECT dt, org, 'bitbucket', site, 'repository', repository_uuid, repository_full_name, repository_full_name, permission, permission = 'admin',
       CASE WHEN principal_type = 'user' THEN 'account' ELSE principal_type END, principal_id, account_id, display_name,
       CASE WHEN account_status IS NULL THEN CAST(NULL AS boolean) ELSE account_status = 'active' END, via
FROM bitbucket_effective_repository_access
