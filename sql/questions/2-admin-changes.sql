-- @question Who gained or lost administrative access since the previous snapshot?
-- @param from_dt the earlier snapshot date, yyyy-MM-dd (e.g. yesterday)
-- @param to_dt the later snapshot date, yyyy-MM-dd
-- @description Privileged access that appeared or disappeared between two snapshot dates, every product.
SELECT c.org, c.product, c.site, c.change, c.resource_key, c.permission, c.principal_type, coalesce(c.display_name, c.principal_id) AS principal,
       c.account_id, c.via
FROM access_changes c
WHERE c.from_dt = ?
  AND c.to_dt = ?
  AND c.privileged
ORDER BY c.org, c.product, c.change, c.resource_key, principal
