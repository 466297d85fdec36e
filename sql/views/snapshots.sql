-- @view snapshots
-- @description The snapshots on record: one row per (date, org, product, site) whose collection completed that
-- @description day, read from collector_units (one row every completed unit publishes with its files, whatever the
-- @description product, Cloud or Data Center; a failed unit publishes none). Snapshots written before that table
-- @description existed are still found through jira_settings, confluence_settings, bitbucket_workspaces and
-- @description admin_orgs. Use it to find the latest and previous dates.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column product varchar the product family of the tables: jira | confluence | bitbucket | admin | jsm | assets | opsgenie | trello (Data Center units as jira, confluence)
-- @column site varchar
SELECT DISTINCT dt, org, replace(product, '-dc', '') AS product, site FROM collector_units
UNION
SELECT DISTINCT dt, org, 'jira', site FROM jira_settings
UNION
SELECT DISTINCT dt, org, 'confluence', site FROM confluence_settings
UNION
SELECT DISTINCT dt, org, 'bitbucket', site FROM bitbucket_workspaces
UNION
SELECT DISTINCT dt, org, 'admin', site FROM admin_orgs
