-- @view bitbucket_effective_repository_access
-- @description Who can do what on each Bitbucket repository: one row per (snapshot, workspace, repository,
-- @description principal). Workspace, project and repository levels are combined and the highest level wins
-- @description (admin > write > read > none; a project's create-repo counts as write on its repositories):
-- @description workspace owners administer every repository, project grants reach the project's repositories,
-- @description public repositories are readable by anyone. Group grants stay one row per group: the Bitbucket
-- @description API gives no group membership, so they are not expanded to accounts.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column site varchar API host the workspace was collected from
-- @column workspace_uuid varchar
-- @column workspace_slug varchar
-- @column repository_uuid varchar
-- @column repository_full_name varchar workspace/slug
-- @column repository_is_private boolean
-- @column project_key varchar
-- @column principal_type varchar user | group | anyone
-- @column principal_id varchar account id (or user uuid when the user has none), group slug, or 'anyone'
-- @column account_id varchar null for groups, anyone, and users without an Atlassian account id
-- @column user_uuid varchar
-- @column group_slug varchar
-- @column display_name varchar
-- @column account_status varchar from the workspace membership; null when the user is not a workspace member
-- @column workspace_permission varchar owner | collaborator | member; null when not a workspace member
-- @column permission varchar the highest level: admin | write | read | none
-- @column via varchar the sources of that level: workspace_owner, project_user, project_group, repository_user, repository_group, public_repository
-- @column paths varchar every grant, '; '-separated, e.g. project=PAY > group=devs > write
WITH repos AS (
  SELECT dt, org, site, repository_uuid, full_name, workspace_uuid, workspace_slug, project_uuid, project_key, is_private
  FROM bitbucket_repositories
),
grants AS (
  SELECT r.dt, r.org, r.site, r.repository_uuid, 'user' AS principal_type, coalesce(m.account_id, m.user_uuid) AS principal_id,
         m.account_id, m.user_uuid, CAST(NULL AS varchar) AS group_slug, m.display_name,
         'admin' AS permission, 'workspace_owner' AS via, 'workspace=' || r.workspace_slug || ' > owner > admin' AS path
  FROM repos r
  JOIN bitbucket_workspace_members m
    ON m.dt = r.dt AND m.org = r.org AND m.site = r.site AND m.workspace_uuid = r.workspace_uuid
  WHERE m.permission = 'owner'
  UNION ALL
  SELECT r.dt, r.org, r.site, r.repository_uuid, pp.principal_type,
         CASE WHEN pp.principal_type = 'group' THEN pp.group_slug ELSE coalesce(pp.account_id, pp.user_uuid) END,
         pp.account_id, pp.user_uuid, pp.group_slug, pp.display_name,
         CASE WHEN pp.permission = 'create-repo' THEN 'write' ELSE pp.permission END,
         'project_' || pp.principal_type,
         'project=' || pp.project_key || ' > ' || CASE WHEN pp.principal_type = 'group' THEN 'group=' || pp.group_slug ELSE 'user' END || ' > ' || pp.permission
  FROM repos r
  JOIN bitbucket_project_permissions pp
    ON pp.dt = r.dt AND pp.org = r.org AND pp.site = r.site AND pp.project_uuid = r.project_uuid
  UNION ALL
  SELECT r.dt, r.org, r.site, r.repository_uuid, rp.principal_type,
         CASE WHEN rp.principal_type = 'group' THEN rp.group_slug ELSE coalesce(rp.account_id, rp.user_uuid) END,
         rp.account_id, rp.user_uuid, rp.group_slug, rp.display_name,
         rp.permission,
         'repository_' || rp.principal_type,
         'repository > ' || CASE WHEN rp.principal_type = 'group' THEN 'group=' || rp.group_slug ELSE 'user' END || ' > ' || rp.permission
  FROM repos r
  JOIN bitbucket_repository_permissions rp
    ON rp.dt = r.dt AND rp.org = r.org AND rp.site = r.site AND rp.repository_uuid = r.repository_uuid
  UNION ALL
  SELECT r.dt, r.org, r.site, r.repository_uuid, 'anyone', 'anyone',
         CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar),
         'read', 'public_repository', 'repository > public > read'
  FROM repos r
  WHERE r.is_private = false
),
ranked AS (
  SELECT g.*,
         CASE g.permission WHEN 'admin' THEN 3 WHEN 'write' THEN 2 WHEN 'read' THEN 1 ELSE 0 END AS lvl
  FROM grants g
),
best AS (
  SELECT k.*, max(k.lvl) OVER (PARTITION BY k.dt, k.org, k.site, k.repository_uuid, k.principal_type, k.principal_id) AS best_lvl
  FROM ranked k
)
SELECT b.dt, b.org, b.site, r.workspace_uuid, r.workspace_slug, b.repository_uuid, r.full_name AS repository_full_name,
       r.is_private AS repository_is_private, r.project_key,
       b.principal_type, b.principal_id, max(b.account_id) AS account_id, max(b.user_uuid) AS user_uuid, max(b.group_slug) AS group_slug,
       coalesce(max(m.display_name), max(b.display_name)) AS display_name,
       max(m.account_status) AS account_status, max(m.permission) AS workspace_permission,
       CASE max(b.lvl) WHEN 3 THEN 'admin' WHEN 2 THEN 'write' WHEN 1 THEN 'read' ELSE 'none' END AS permission,
       array_join(array_sort(array_distinct(array_agg(b.via) FILTER (WHERE b.lvl = b.best_lvl))), ', ') AS via,
       array_join(array_sort(array_distinct(array_agg(b.path))), '; ') AS paths
FROM best b
JOIN repos r
  ON r.dt = b.dt AND r.org = b.org AND r.site = b.site AND r.repository_uuid = b.repository_uuid
LEFT JOIN bitbucket_workspace_members m
  ON m.dt = b.dt AND m.org = b.org AND m.site = b.site AND m.workspace_uuid = r.workspace_uuid
 AND b.principal_type = 'user' AND m.user_uuid = b.user_uuid
GROUP BY b.dt, b.org, b.site, r.workspace_uuid, r.workspace_slug, b.repository_uuid, r.full_name, r.is_private, r.project_key,
         b.principal_type, b.principal_id
