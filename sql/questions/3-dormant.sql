-- @question Which accounts keep access they do not use, or should not have?
-- @param date the snapshot date, yyyy-MM-dd
-- @description Accounts with product access and no activity for 90+ days (or never), and accounts a product lists as active while the directory has them suspended or deactivated.
SELECT d.org, d.reason, d.name, d.email, d.directory_status, d.days_inactive, d.product, d.site
FROM dormant_access d
WHERE d.dt = ?
ORDER BY d.org, d.reason, d.days_inactive DESC, d.name
