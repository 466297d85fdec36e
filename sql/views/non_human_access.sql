-- @view non_human_access
-- @description Access that belongs to no person: user API tokens (admin_api_tokens), service accounts and their
-- @description API tokens and OAuth clients, Bitbucket deploy keys and webhooks, JSM operations integrations, one row each, with the owner's
-- @description directory status, last use and expiry, and four flags: owner_inactive (the owner is suspended,
-- @description deactivated or scheduled for deletion, or the service account is not ACTIVE), never_expires,
-- @description unused_90_days (not used, or never used and created, 90 days or more before the snapshot) and
-- @description external_target (a webhook to a host outside the organization's verified domains). A flag is
-- @description null where it does not apply or the API does not say. Secrets and values are never collected.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column kind varchar user_api_token | service_account | service_account_api_token | service_account_oauth_client | bitbucket_deploy_key | bitbucket_webhook | jsm_ops_integration
-- @column credential_id varchar token id, service account id, OAuth client id, deploy key id or webhook uuid
-- @column name varchar label or name
-- @column scope varchar where it applies: the Bitbucket repository or project, the JSM operations owner team id, else null
-- @column owner_account_id varchar account that owns or created it (the service account's own id for its credentials)
-- @column owner_name varchar
-- @column owner_status varchar admin_users.status, or the service account status
-- @column status varchar the credential's own status (ALLOWED | BLOCKED, ACTIVE, active | inactive for webhooks)
-- @column created_at varchar ISO-8601
-- @column last_used varchar ISO-8601; null when never used or not reported
-- @column expires_at varchar ISO-8601; null when it never expires or the API does not say
-- @column target_host varchar host a webhook sends to
-- @column days_unused bigint days from the last use (or creation, when never used) to the snapshot date
-- @column owner_inactive boolean
-- @column never_expires boolean
-- @column unused_90_days boolean
-- @column external_target boolean
WITH directory AS (
  SELECT dt, org, account_id, name, status FROM admin_users
),
verified AS (
  SELECT dt, org, lower(name) AS domain FROM admin_domains WHERE claim_status = 'verified' AND name IS NOT NULL
),
credentials AS (
  SELECT t.dt, t.org, 'user_api_token' AS kind, t.token_id AS credential_id, t.label AS name, CAST(NULL AS varchar) AS scope,
         t.account_id AS owner_account_id, d.name AS owner_name, d.status AS owner_status, t.status,
         t.created_at, t.last_access AS last_used, t.expires_at, CAST(NULL AS varchar) AS target_host,
         d.status IN ('suspended', 'deactivated', 'for_deletion') AS owner_inactive, t.expires_at IS NULL AS never_expires
  FROM admin_api_tokens t
  LEFT JOIN directory d ON d.dt = t.dt AND d.org = t.org AND d.account_id = t.account_id
  UNION ALL
  SELECT s.dt, s.org, 'service_account', s.service_account_id, s.display_name, CAST(NULL AS varchar),
         s.account_id, s.display_name, s.status, s.status,
         CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar),
         s.status <> 'ACTIVE', CAST(NULL AS boolean)
  FROM admin_service_accounts s
  UNION ALL
  SELECT t.dt, t.org, 'service_account_api_token', t.token_id, t.label, CAST(NULL AS varchar),
         s.account_id, s.display_name, s.status, t.status,
         t.created_at, t.last_access, t.expires_at, CAST(NULL AS varchar),
         s.status <> 'ACTIVE', t.expires_at IS NULL
  FROM admin_service_account_api_tokens t
  LEFT JOIN admin_service_accounts s ON s.dt = t.dt AND s.org = t.org AND s.service_account_id = t.service_account_id
  UNION ALL
  SELECT c.dt, c.org, 'service_account_oauth_client', c.client_id, c.name, CAST(NULL AS varchar),
         s.account_id, s.display_name, s.status, c.status,
         c.created_at, CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar),
         s.status <> 'ACTIVE', CAST(NULL AS boolean)
  FROM admin_service_account_oauth_clients c
  LEFT JOIN admin_service_accounts s ON s.dt = c.dt AND s.org = c.org AND s.service_account_id = c.service_account_id
  UNION ALL
  -- SSH deploy keys have no expiry.
  SELECT k.dt, k.org, 'bitbucket_deploy_key', k.key_id, k.label, k.parent_name,
         k.created_by_account_id, d.name, d.status, CAST(NULL AS varchar),
         k.added_on, k.last_used, CAST(NULL AS varchar), CAST(NULL AS varchar),
         d.status IN ('suspended', 'deactivated', 'for_deletion'), true
  FROM bitbucket_deploy_keys k
  LEFT JOIN directory d ON d.dt = k.dt AND d.org = k.org AND d.account_id = k.created_by_account_id
  UNION ALL
  SELECT h.dt, h.org, 'bitbucket_webhook', h.webhook_uuid, h.description, coalesce(h.repository_full_name, h.workspace_slug),
         CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar), CASE WHEN h.active THEN 'active' ELSE 'inactive' END,
         h.created_at, CAST(NULL AS varchar), CAST(NULL AS varchar), h.url_host,
         CAST(NULL AS boolean), CAST(NULL AS boolean)
  FROM bitbucket_webhooks h
  UNION ALL
  -- Each JSM operations integration holds an API key (the key is never collected); scope is its owner team, if any.
  SELECT i.dt, i.org, 'jsm_ops_integration', i.integration_id, i.name, i.owner_team_id,
         CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar), CASE WHEN i.enabled THEN 'enabled' WHEN NOT i.enabled THEN 'disabled' END,
         CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar),
         CAST(NULL AS boolean), CAST(NULL AS boolean)
  FROM jsm_ops_integrations i
)
SELECT c.dt, c.org, c.kind, c.credential_id, c.name, c.scope, c.owner_account_id, c.owner_name, c.owner_status, c.status,
       c.created_at, c.last_used, c.expires_at, c.target_host,
       CASE WHEN coalesce(c.last_used, c.created_at) IS NULL THEN CAST(NULL AS bigint)
            ELSE date_diff('day', CAST(substr(coalesce(c.last_used, c.created_at), 1, 10) AS date), CAST(c.dt AS date)) END AS days_unused,
       c.owner_inactive, c.never_expires,
       CASE WHEN c.kind IN ('service_account', 'bitbucket_webhook', 'service_account_oauth_client', 'jsm_ops_integration') OR coalesce(c.last_used, c.created_at) IS NULL THEN CAST(NULL AS boolean)
            ELSE date_diff('day', CAST(substr(coalesce(c.last_used, c.created_at), 1, 10) AS date), CAST(c.dt AS date)) >= 90 END AS unused_90_days,
       CASE WHEN c.kind <> 'bitbucket_webhook' THEN CAST(NULL AS boolean)
            WHEN c.target_host IS NULL THEN CAST(NULL AS boolean)
            ELSE NOT EXISTS (
              SELECT 1 FROM verified v
              WHERE v.dt = c.dt AND v.org = c.org AND (lower(c.target_host) = v.domain OR lower(c.target_host) LIKE '%.' || v.domain)
            ) END AS external_target
FROM credentials c
