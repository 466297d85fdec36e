-- @question Which external accounts have access?
-- @param date the snapshot date, yyyy-MM-dd
-- @description Accounts whose e-mail domain is not a verified domain of the organization, with the products they can use, and any administration they hold.
SELECT x.org, x.name, x.email, x.email_domain, x.directory_status, x.products,
       (SELECT count(*) FROM effective_access e
        WHERE e.dt = x.dt AND e.org = x.org AND e.account_id = x.account_id AND e.privileged) AS admin_grants
FROM external_access x
WHERE x.dt = ?
ORDER BY admin_grants DESC, x.org, x.email_domain, x.name
