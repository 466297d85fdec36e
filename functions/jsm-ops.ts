import { z } from 'zod';
import type { Unit } from '../shared/config.ts';
import { AuthenticationError, ConfigError, type CollectorError } from '../shared/errors.ts';
import { cursorToken, offset, parsePayload, type PageStyle } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { ATLASSIAN_CLOUD_CREDENTIALS, type ProductModule } from '../shared/engine/collect.ts';
import {
  jsmOpsCustomRoles,
  jsmOpsEscalationRecipients,
  jsmOpsEscalations,
  jsmOpsHeartbeats,
  jsmOpsIntegrations,
  jsmOpsScheduleParticipants,
  jsmOpsSchedules,
  jsmOpsTables,
  jsmOpsTeamMembers,
  jsmOpsTeamRoles,
  jsmOpsTeams,
} from './jsm-ops.tables.ts';
import { str, bool, int, nonEmpty } from '../shared/schema/fields.ts';

// Jira Service Management operations REST API (Opsgenie's successor). No OpenAPI file for it is vendored in
// ../shared/atlassian-openapi; the authority is Atlassian's reference "Jira Service Management ops / REST API"
// (https://developer.atlassian.com/cloud/jira/service-desk-ops/rest/v2/intro/), cited per endpoint:
//   custom roles https://developer.atlassian.com/cloud/jira/service-desk-ops/rest/v2/api-group-custom-user-roles/
//   schedules    .../api-group-schedules/ ("List schedules": query, size, offset, expand; `values`, `links.next`)
//   integrations .../api-group-integrations/ ("List integrations", offset/size)
//   team roles   .../api-group-team-roles/ (`GET /v1/teams/{teamId}/roles`)
//   escalations  .../api-group-escalations/ ("List escalations" is per team: `GET /v1/teams/{teamId}/escalations`)
//   heartbeats   .../api-group-heartbeats/ ("List heartbeats" is per team: `GET /v1/teams/{teamId}/heartbeats`)
//   scopes       https://developer.atlassian.com/cloud/jira/service-desk-ops/security/scopes-for-oauth-2-3LO-and-forge-apps
// Teams are Atlassian teams; the operations API has no "list teams" resource, so they come from the Teams
// public REST API on the site (https://developer.atlassian.com/platform/teams/rest/v1/api-group-teams-public-api/,
// `GET /gateway/api/public/teams/v1/org/{orgId}/teams`, cursor paging: `cursor` in, `cursor` out), which needs
// the organization id (unit.orgId). Members: `POST .../teams/{teamId}/members` with `{first, after}`, answering
// `{results: [{accountId}], pageInfo: {endCursor, hasNextPage}}` (the reference's "fetch members"; the page-size
// maximum is not published: 50, the add/remove maximum, is asked).
//
// What the reference pages seen show (samples) and what is assumed, marked "unverified" where it matters:
//   - schedules, escalations, heartbeats, team roles: fields and `{values, links.next}` as in the samples.
//   - custom user roles: the page shows get/update/delete/assign of one role; the list `GET /v1/roles` is
//     assumed to answer like the other lists (unverified: a different shape fails with a PayloadError naming it).
//   - integrations: `GET /v1/integrations` entries with id, name, type, enabled, teamId (unverified beyond
//     the integration-actions sample's paging).
//   - Teams API: `teamId`, `displayName`, `description`, `state` (the jira.js teams client's names), members'
//     `accountId` and `pageInfo` (unverified).
//   - page sizes: no maximum is published for the operations lists (`jsmOps.pageSize`, simulator `maxPageSize`).
//
// Base URL (intro page): basic auth (e-mail + API token) calls https://api.atlassian.com/jsm/ops/api/{cloudId};
// OAuth 2.0 (3LO) calls https://api.atlassian.com/ex/jira/{cloudId}/jsm/ops/api. `{cloudId}` is the site's, from
// /_edge/tenant_info. The Teams API is on the site itself: a second origin (`origins`).

export const JSM_OPS_BASIC_BASE = 'https://api.atlassian.com/jsm/ops/api/{cloudId}';
export const JSM_OPS_OAUTH_BASE = 'https://api.atlassian.com/ex/jira/{cloudId}/jsm/ops/api';

/**
 * `size` asked of every operations list. The reference publishes neither a default nor a maximum (its samples
 * show `size=5`, `size=25`); Opsgenie's was 100. A server that returns fewer is safe (the offset advances by the
 * items received), so the default is Opsgenie's maximum and `jsmOps.pageSize` changes it.
 */
export const JSM_OPS_PAGE_SIZE = 100;
/** Teams API `size`: "The page size for the number of teams to return (max 300)". */
export const TEAMS_PAGE_SIZE = 300;
/** Teams API members `first`: no maximum published; 50 is the maximum of the add/remove members calls. */
export const TEAM_MEMBERS_PAGE_SIZE = 50;

// Scopes named in 401/403 messages (scopes page): every read here is operations configuration.
const SCOPE = 'read:ops-config:jira-service-management';
const requires = {
  roles: `the scope ${SCOPE} and the JSM operations admin role with the custom user role right (custom user roles page: "The user should have admin role and custom user role right")`,
  schedules: `the scope ${SCOPE}; the list holds only the schedules the account may see, so use an account with the read-only admin right`,
  integrations: `the scope ${SCOPE} and the read-only administrative right (integrations of other teams are hidden otherwise)`,
  teams: (orgId: string) => `an account of organization ${orgId} that may view its teams (Teams public REST API, basic auth with an API token)`,
  team: (what: string, k: { t: string; n: string }) => `the scope ${SCOPE} and membership or admin rights in team '${k.n}' (${k.t}) to list its ${what}`,
};

// Atlassian's gateway may answer a token whose scopes do not cover the endpoint with 401 ("Unauthorized; scope
// does not match") rather than 403 (not stated in the ops reference), so every operations stream adds the scope to
// the client's 401 message (the scopes page: "read:ops-config:jira-service-management ... Read configuration of
// operations including ... custom user roles, escalations, heartbeats, integrations ... schedules").
async function namesScope(e: CollectorError): Promise<Error | undefined> {
  if (!(e instanceof AuthenticationError)) return undefined;
  return new AuthenticationError(
    `${e.message.replace(/^\[[^\]]*\] /, '')} With OAuth 2.0 or a scoped API token, a 401 also means the token lacks the scope ${SCOPE}.`,
    e.context,
  );
}

// Every operations list: `{values: [...], links: {next?}}` ("ListSchedulesResponse", "EscalationPaginatedResponse",
// "HeartbeatPaginatedResponse" samples). The end is a page without `links.next`.
const Links = z.object({ links: z.object({ next: z.string().nullish() }).nullish() });

/** Offset/size paging of the operations API: `offset`, `size`, items in `values`, end when `links.next` is absent. */
function opsList<T>(path: string, item: z.ZodType<T>, key: (t: T) => string, needs: string, pageSize: number, query?: Readonly<Record<string, string>>): PageStyle<T> {
  return offset({
    path,
    item,
    key,
    requires: needs,
    pageSize,
    startParam: 'offset',
    limitParam: 'size',
    itemsField: 'values',
    ...(query ? { query } : {}),
    isEnd: (body) => {
      const l = Links.safeParse(body);
      return !(l.success && l.data.links?.next);
    },
  });
}

export const JsmOpsCustomRole = z.object({
  id: z.string().min(1),
  name: z.string(),
  extendedRole: str,
  grantedRights: z.array(z.string()).nullish(),
  disallowedRights: z.array(z.string()).nullish(),
});

// Participants and recipients: `{type, id}` (schedules and escalations samples); `none` is an empty slot.
const Participant = z.object({ type: z.enum(['user', 'team', 'escalation', 'schedule', 'none']), id: nonEmpty });

const Rotation = z.object({ id: z.string().min(1), name: str, type: str, participants: z.array(Participant).nullish() });

export const JsmOpsSchedule = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: nonEmpty,
  enabled: bool,
  timezone: str,
  teamId: nonEmpty,
  rotations: z.array(Rotation).nullish(),
});

// The reference samples an integration's list entry with id, name, type, enabled and teamId (unverified beyond
// that); any key field it may carry is not read: the schema strips unknown fields, so no key reaches a row.
export const JsmOpsIntegration = z.object({ id: z.string().min(1), name: z.string(), type: str, enabled: bool, teamId: nonEmpty });

export const TeamsApiTeam = z.object({ teamId: z.string().min(1), displayName: z.string(), description: nonEmpty, state: str });

// Team role: `{id, name, rights: [{right, granted}]}` ("TeamRoleResponse" sample).
export const JsmOpsTeamRole = z.object({
  id: z.string().min(1),
  name: z.string(),
  rights: z.array(z.object({ right: z.string(), granted: z.boolean() })).nullish(),
});

// Escalation rule: `delay` is a bare integer in the sample (`"delay": 5`); the unit is not stated (minutes in
// the JSM UI, and Opsgenie's default unit): written as minutes.
const Rule = z.object({ condition: str, notifyType: str, delay: int, recipient: Participant });

export const JsmOpsEscalation = z.object({ id: z.string().min(1), name: z.string(), description: nonEmpty, enabled: bool, rules: z.array(Rule).nullish() });

// Heartbeats have no id: the name identifies one (Create heartbeat: `name` required; "If a heartbeatName is passed,
// it filters out given heartbeat").
export const JsmOpsHeartbeat = z.object({
  name: z.string().min(1),
  description: nonEmpty,
  interval: int,
  intervalUnit: str,
  enabled: bool,
  status: str,
  ownerTeamId: nonEmpty,
});

const TeamsPage = z.object({ entities: z.array(z.unknown()), cursor: z.string().nullish() });
const MembersPage = z.object({
  results: z.array(z.unknown()),
  pageInfo: z.object({ endCursor: z.string().nullish(), hasNextPage: z.boolean().nullish() }).nullish(),
});
export const TeamsApiMember = z.object({ accountId: z.string().min(1) });

type TeamKey = { t: string; n: string };

function streamsFor(orgId: string, siteOrigin: string, pageSize: number): readonly Stream[] {
  const customRoles = defineStream<null, z.infer<typeof JsmOpsCustomRole>>({
    name: 'custom_roles',
    diagnose: namesScope,
    style: () => opsList('/v1/roles', JsmOpsCustomRole, (r) => r.id, requires.roles, pageSize),
    rows: (r) => [
      row(jsmOpsCustomRoles, {
        source: 'jsm-ops',
        role_id: r.id,
        name: r.name,
        extended_role: r.extendedRole,
        granted_rights: r.grantedRights ?? [],
        disallowed_rights: r.disallowedRights ?? [],
      }),
    ],
  });

  const schedules = defineStream<null, z.infer<typeof JsmOpsSchedule>>({
    name: 'schedules',
    diagnose: namesScope,
    // `expand=rotation` returns each schedule's rotations and participants in the list ("_expands": ["rotation"]
    // in the sample), so no request per schedule.
    style: () => opsList('/v1/schedules', JsmOpsSchedule, (s) => s.id, requires.schedules, pageSize, { expand: 'rotation' }),
    rows: (s) => [
      row(jsmOpsSchedules, {
        source: 'jsm-ops',
        schedule_id: s.id,
        name: s.name,
        description: s.description,
        enabled: s.enabled,
        timezone: s.timezone,
        owner_team_id: s.teamId,
        owner_team_name: null,
      }),
      ...(s.rotations ?? []).flatMap((r) =>
        (r.participants ?? []).map((p, position) =>
          row(jsmOpsScheduleParticipants, {
            source: 'jsm-ops',
            schedule_id: s.id,
            rotation_id: r.id,
            rotation_name: r.name,
            rotation_type: r.type,
            position,
            participant_type: p.type,
            participant_id: p.type === 'none' ? null : p.id,
            participant_name: null,
          }),
        ),
      ),
    ],
  });

  const integrations = defineStream<null, z.infer<typeof JsmOpsIntegration>>({
    name: 'integrations',
    diagnose: namesScope,
    style: () => opsList('/v1/integrations', JsmOpsIntegration, (i) => i.id, requires.integrations, pageSize),
    rows: (i) => [row(jsmOpsIntegrations, { source: 'jsm-ops', integration_id: i.id, name: i.name, type: i.type, enabled: i.enabled, owner_team_id: i.teamId })],
  });

  const members = defineStream<TeamKey, z.infer<typeof TeamsApiMember>>({
    name: 'team_members',
    style: (k) =>
      cursorToken({
        path: `${siteOrigin}/gateway/api/public/teams/v1/org/${encodeURIComponent(orgId)}/teams/${encodeURIComponent(k.t)}/members`,
        method: 'POST',
        body: {},
        item: TeamsApiMember,
        requires: requires.teams(orgId),
        pageSize: TEAM_MEMBERS_PAGE_SIZE,
        limitParam: 'first',
        cursorParam: 'after',
        items: (body, endpoint) => parsePayload(MembersPage, body, endpoint).results,
        next: (body, endpoint) => {
          const p = parsePayload(MembersPage, body, endpoint).pageInfo;
          return p?.hasNextPage && p.endCursor ? p.endCursor : undefined;
        },
      }),
    rows: (m, k) => [row(jsmOpsTeamMembers, { source: 'jsm-ops', team_id: k.t, team_name: k.n, user_id: m.accountId, username: null, role: null })],
    notFound: 'skip-parent',
  });

  const teamRoles = defineStream<TeamKey, z.infer<typeof JsmOpsTeamRole>>({
    name: 'team_roles',
    diagnose: namesScope,
    style: (k) => opsList(`/v1/teams/${encodeURIComponent(k.t)}/roles`, JsmOpsTeamRole, (r) => r.id, requires.team('roles', k), pageSize),
    rows: (r, k) => [
      row(jsmOpsTeamRoles, {
        source: 'jsm-ops',
        team_id: k.t,
        role_id: r.id,
        name: r.name,
        granted_rights: (r.rights ?? []).filter((x) => x.granted).map((x) => x.right),
        disallowed_rights: (r.rights ?? []).filter((x) => !x.granted).map((x) => x.right),
      }),
    ],
    // A team deleted since the listing (or one with no operations set up) answers 404: its rows are skipped.
    notFound: 'skip-parent',
  });

  const escalations = defineStream<TeamKey, z.infer<typeof JsmOpsEscalation>>({
    name: 'escalations',
    diagnose: namesScope,
    style: (k) => opsList(`/v1/teams/${encodeURIComponent(k.t)}/escalations`, JsmOpsEscalation, (e) => e.id, requires.team('escalations', k), pageSize),
    rows: (e, k) => [
      row(jsmOpsEscalations, { source: 'jsm-ops', escalation_id: e.id, name: e.name, description: e.description, owner_team_id: k.t, owner_team_name: null, enabled: e.enabled }),
      ...(e.rules ?? []).map((r, i) =>
        row(jsmOpsEscalationRecipients, {
          source: 'jsm-ops',
          escalation_id: e.id,
          rule_index: i,
          condition: r.condition,
          notify_type: r.notifyType,
          delay_minutes: r.delay,
          recipient_type: r.recipient.type,
          recipient_id: r.recipient.type === 'none' ? null : r.recipient.id,
          recipient_name: null,
        }),
      ),
    ],
    notFound: 'skip-parent',
  });

  const heartbeats = defineStream<TeamKey, z.infer<typeof JsmOpsHeartbeat>>({
    name: 'heartbeats',
    diagnose: namesScope,
    style: (k) => opsList(`/v1/teams/${encodeURIComponent(k.t)}/heartbeats`, JsmOpsHeartbeat, (h) => h.name, requires.team('heartbeats', k), pageSize),
    rows: (h, k) => [
      row(jsmOpsHeartbeats, {
        source: 'jsm-ops',
        owner_team_id: h.ownerTeamId ?? k.t,
        name: h.name,
        description: h.description,
        enabled: h.enabled,
        interval: h.interval,
        interval_unit: h.intervalUnit,
        status: h.status,
      }),
    ],
    notFound: 'skip-parent',
  });

  const teams = defineStream<null, z.infer<typeof TeamsApiTeam>, TeamKey>({
    name: 'teams',
    // Absolute URL on the site: the Teams API is not under the operations base. `siteId` (the Teams API's
    // filter for site-scoped teams) is not sent: the cloud id is not known when the streams are built, and
    // without it the API lists the organization's teams (deprecated per the reference, still served).
    style: () =>
      cursorToken({
        path: `${siteOrigin}/gateway/api/public/teams/v1/org/${encodeURIComponent(orgId)}/teams`,
        item: TeamsApiTeam,
        requires: requires.teams(orgId),
        pageSize: TEAMS_PAGE_SIZE,
        limitParam: 'size',
        items: (body, endpoint) => parsePayload(TeamsPage, body, endpoint).entities,
        next: (body, endpoint) => parsePayload(TeamsPage, body, endpoint).cursor ?? undefined,
      }),
    rows: (t) => [row(jsmOpsTeams, { source: 'jsm-ops', team_id: t.teamId, name: t.displayName, description: t.description, state: t.state })],
    childKey: (t) => ({ t: t.teamId, n: t.displayName }),
    children: [members, teamRoles, escalations, heartbeats],
  });

  return [customRoles, schedules, integrations, teams];
}

/** Streams of a JSM operations unit, in collection order. */
export function jsmOpsStreams(unit: Pick<Unit, 'orgId' | 'siteUrl' | 'jsmOps'>): readonly Stream[] {
  if (!unit.orgId) {
    throw new ConfigError(
      'product jsm-ops needs orgId (the organization id from admin.atlassian.com, e.g. --org-id): JSM operations teams are Atlassian teams, listed by the Teams API per organization.',
    );
  }
  return streamsFor(unit.orgId, new URL(unit.siteUrl).origin, unit.jsmOps?.pageSize ?? JSM_OPS_PAGE_SIZE);
}

/** JSM operations' unit options. */
export const jsmOpsOptions = z.object({
  /** JSM operations: the organization id (from admin.atlassian.com), as for the Admin API. */
  orgId: z.string().min(1).optional(),
  /**
   * JSM operations: `pageSize` is the `size` asked of every operations list; the reference publishes no
   * maximum (a smaller answer is safe). @default { pageSize: 100 }
   */
  jsmOps: z
    .object({ pageSize: z.int().min(1).max(1000, 'jsmOps.pageSize: at most 1000').optional() })
    .strict()
    .optional(),
});

export const jsmOps: ProductModule<'jsm-ops', typeof jsmOpsOptions.shape> = {
  product: 'jsm-ops',
  title: 'Jira Service Management operations',
  options: jsmOpsOptions,
  credentials: ATLASSIAN_CLOUD_CREDENTIALS,
  tables: jsmOpsTables,
  streams: (unit) => jsmOpsStreams(unit),
  baseUrl: (unit) => (unit.auth.kind === 'basic' ? JSM_OPS_BASIC_BASE : JSM_OPS_OAUTH_BASE),
  origins: (unit) => [new URL(unit.siteUrl).origin],
};
