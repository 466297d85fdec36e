-- @question Who is in an admin group?
-- @param date the snapshot date, yyyy-MM-dd
-- @description Members of the groups that carry site, product or organization admin rights (the privileged_group_members view defines which), active or not.
SELECT a.org, a.product, a.site, a.group_name, a.display_name, a.account_id, a.active
FROM privileged_group_members a
WHERE a.dt = ?
ORDER BY a.org, a.product, a.site, a.group_name, a.display_name
