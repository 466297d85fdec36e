-- @view oncall_access
-- @description Who is on call or notified, across Opsgenie and its successor JSM operations, so one query covers
-- @description an organization before, during and after its migration: one row per team membership, schedule
-- @description rotation slot and escalation rule, with the source product. Opsgenie ids are Opsgenie's own and
-- @description its principals carry a name (the user's e-mail address); JSM operations principals are Atlassian
-- @description account ids without a name (join identities on account_id). Empty rotation slots are left out.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column site varchar
-- @column source varchar opsgenie | jsm-ops
-- @column via varchar team_member | schedule_participant | escalation_recipient
-- @column container_id varchar the team, schedule or escalation
-- @column container_name varchar
-- @column owner_team_id varchar the team that owns the schedule or escalation (the team itself for members)
-- @column role varchar team role (Opsgenie), or the rotation type / the rule's condition
-- @column principal_type varchar user | team | escalation | schedule
-- @column principal_id varchar Opsgenie user id, or Atlassian account id (jsm-ops); a team's, schedule's or escalation's id otherwise
-- @column principal_name varchar Opsgenie username (e-mail) or name; null for jsm-ops
SELECT dt, org, site, 'opsgenie' AS source, 'team_member' AS via, team_id AS container_id, team_name AS container_name,
       team_id AS owner_team_id, role, 'user' AS principal_type, user_id AS principal_id, username AS principal_name
FROM opsgenie_team_members
UNION ALL
SELECT p.dt, p.org, p.site, 'opsgenie', 'schedule_participant', p.schedule_id, s.name, s.owner_team_id, p.rotation_type,
       p.participant_type, p.participant_id, p.participant_name
FROM opsgenie_schedule_participants p
LEFT JOIN opsgenie_schedules s ON s.dt = p.dt AND s.org = p.org AND s.site = p.site AND s.schedule_id = p.schedule_id
WHERE p.participant_type <> 'none'
UNION ALL
SELECT r.dt, r.org, r.site, 'opsgenie', 'escalation_recipient', r.escalation_id, e.name, e.owner_team_id, r.condition,
       r.recipient_type, r.recipient_id, r.recipient_name
FROM opsgenie_escalation_recipients r
LEFT JOIN opsgenie_escalations e ON e.dt = r.dt AND e.org = r.org AND e.site = r.site AND e.escalation_id = r.escalation_id
WHERE r.recipient_type <> 'none'
UNION ALL
SELECT dt, org, site, source, 'team_member', team_id, team_name, team_id, role, 'user', user_id, username
FROM jsm_ops_team_members
UNION ALL
SELECT p.dt, p.org, p.site, p.source, 'schedule_participant', p.schedule_id, s.name, s.owner_team_id, p.rotation_type,
       p.participant_type, p.participant_id, p.participant_name
FROM jsm_ops_schedule_participants p
LEFT JOIN jsm_ops_schedules s ON s.dt = p.dt AND s.org = p.org AND s.site = p.site AND s.schedule_id = p.schedule_id
WHERE p.participant_type <> 'none'
UNION ALL
SELECT r.dt, r.org, r.site, r.source, 'escalation_recipient', r.escalation_id, e.name, e.owner_team_id, r.condition,
       r.recipient_type, r.recipient_id, r.recipient_name
FROM jsm_ops_escalation_recipients r
LEFT JOIN jsm_ops_escalations e ON e.dt = r.dt AND e.org = r.org AND e.site = r.site AND e.escalation_id = r.escalation_id
WHERE r.recipient_type <> 'none'
