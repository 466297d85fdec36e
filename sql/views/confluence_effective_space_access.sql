-- @view confluence_effective_space_access
-- @description Who can do what in each Confluence space: one row per (snapshot, site, space, principal), where
-- @description the principal is an account (direct grants, and group grants expanded to the group's members)
-- @description or an access class (anonymous-users, all-licensed-users, ...). Space permissions and space-role
-- @description assignments are combined and the highest level wins: admin (administer the space) > edit
-- @description (create, update, delete or archive content other than comments) > view (read the space) > other.
-- @description Archived spaces and inactive accounts are marked, not dropped.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column site varchar Confluence site host
-- @column space_id varchar
-- @column space_key varchar
-- @column space_name varchar
-- @column space_type varchar global | collaboration | knowledge_base | personal | ...
-- @column space_status varchar current | archived
-- @column principal_type varchar account | access_class
-- @column principal_id varchar account id or access class
-- @column account_id varchar null for access classes
-- @column display_name varchar
-- @column account_type varchar
-- @column account_status varchar active | inactive | closed
-- @column is_guest boolean
-- @column access_level varchar admin | edit | view | other
-- @column operations varchar every operation granted, ', '-separated, e.g. administer/space, read/space
-- @column via varchar user_permission, group_permission, access_class_permission, user_role, group_role, access_class_role
-- @column paths varchar every path, '; '-separated, e.g. role=<role id> > group=<group id>
WITH grants AS (
  SELECT p.dt, p.org, p.site, p.space_id, 'account' AS principal_type, p.principal_id, p.principal_id AS account_id,
         p.operation || '/' || p.target_type AS op, 'user_permission' AS via, 'space_permission > user' AS path
  FROM confluence_space_permissions p
  WHERE p.principal_type = 'user' AND p.principal_id IS NOT NULL
  UNION ALL
  SELECT p.dt, p.org, p.site, p.space_id, 'account', m.account_id, m.account_id,
         p.operation || '/' || p.target_type, 'group_permission', 'space_permission > group=' || m.group_id
  FROM confluence_space_permissions p
  JOIN confluence_group_members m
    ON m.dt = p.dt AND m.org = p.org AND m.site = p.site AND m.group_id = p.principal_id
  WHERE p.principal_type = 'group'
  UNION ALL
  SELECT p.dt, p.org, p.site, p.space_id, 'access_class', p.principal_id, CAST(NULL AS varchar),
         p.operation || '/' || p.target_type, 'access_class_permission', 'space_permission > access_class=' || p.principal_id
  FROM confluence_space_permissions p
  WHERE p.principal_type = 'role' AND p.principal_id IS NOT NULL
  UNION ALL
  SELECT a.dt, a.org, a.site, a.space_id, 'account', a.principal_id, a.principal_id,
         t.op, 'user_role', 'role=' || a.role_id || ' > user'
  FROM confluence_space_role_assignments a
  JOIN confluence_space_roles r ON r.dt = a.dt AND r.org = a.org AND r.site = a.site AND r.role_id = a.role_id
  CROSS JOIN UNNEST(r.space_permissions) AS t (op)
  WHERE a.principal_type = 'USER'
  UNION ALL
  SELECT a.dt, a.org, a.site, a.space_id, 'account', m.account_id, m.account_id,
         t.op, 'group_role', 'role=' || a.role_id || ' > group=' || m.group_id
  FROM confluence_space_role_assignments a
  JOIN confluence_space_roles r ON r.dt = a.dt AND r.org = a.org AND r.site = a.site AND r.role_id = a.role_id
  JOIN confluence_group_members m
    ON m.dt = a.dt AND m.org = a.org AND m.site = a.site AND m.group_id = a.principal_id
  CROSS JOIN UNNEST(r.space_permissions) AS t (op)
  WHERE a.principal_type = 'GROUP'
  UNION ALL
  SELECT a.dt, a.org, a.site, a.space_id, 'access_class', a.principal_id, CAST(NULL AS varchar),
         t.op, 'access_class_role', 'role=' || a.role_id || ' > access_class=' || a.principal_id
  FROM confluence_space_role_assignments a
  JOIN confluence_space_roles r ON r.dt = a.dt AND r.org = a.org AND r.site = a.site AND r.role_id = a.role_id
  CROSS JOIN UNNEST(r.space_permissions) AS t (op)
  WHERE a.principal_type = 'ACCESS_CLASS'
),
granted AS (
  SELECT dt, org, site, space_id, principal_type, principal_id, account_id,
         CASE
           WHEN bool_or(op = 'administer/space') THEN 'admin'
           WHEN bool_or(regexp_like(op, '^(create|update|delete|archive)/') AND op NOT LIKE '%/comment') THEN 'edit'
           WHEN bool_or(op = 'read/space') THEN 'view'
           ELSE 'other'
         END AS access_level,
         array_join(array_sort(array_distinct(array_agg(op))), ', ') AS operations,
         array_join(array_sort(array_distinct(array_agg(via))), ', ') AS via,
         array_join(array_sort(array_distinct(array_agg(path))), '; ') AS paths
  FROM grants
  GROUP BY dt, org, site, space_id, principal_type, principal_id, account_id
)
SELECT g.dt, g.org, g.site, g.space_id,
       s.space_key, s.name AS space_name, s.type AS space_type, s.status AS space_status,
       g.principal_type, g.principal_id, g.account_id,
       u.display_name, u.account_type, u.account_status, u.is_guest,
       g.access_level, g.operations, g.via, g.paths
FROM granted g
JOIN confluence_spaces s
  ON s.dt = g.dt AND s.org = g.org AND s.site = g.site AND s.space_id = g.space_id
LEFT JOIN confluence_users u
  ON u.dt = g.dt AND u.org = g.org AND u.site = g.site AND u.account_id = g.account_id
