import { z } from 'zod';
import type { Unit } from '../shared/config.ts';
import { offset, parsePayload, single, type PageStyle } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import type { NoOptions, ProductModule } from '../shared/engine/collect.ts';
import {
  opsgenieCustomRoles,
  opsgenieEscalationRecipients,
  opsgenieEscalations,
  opsgenieScheduleParticipants,
  opsgenieSchedules,
  opsgenieTables,
  opsgenieTeamMembers,
  opsgenieTeams,
  opsgenieUsers,
} from './opsgenie.tables.ts';
import { str, bool, nonEmpty, timestamp } from '../shared/schema/fields.ts';

// Opsgenie REST API v2. There is no OpenAPI file for it in ../shared/atlassian-openapi; the authority is
// Opsgenie's published REST docs, cited at each endpoint:
//   auth        https://docs.opsgenie.com/docs/authentication ("Authorization: GenieKey <key>")
//   keys        https://support.atlassian.com/opsgenie/docs/api-key-management (team integration keys cannot
//               make account-based configuration requests; API Key Management keys can, with access rights)
//   pagination  https://docs.opsgenie.com/docs/pagination (offset/limit, "Default value is 20 and maximum value
//               is 100", next-page URL in `paging.next` and `X-Paging-Next`)
//   users       https://docs.opsgenie.com/docs/user-api ("List User")
//   teams       https://docs.opsgenie.com/docs/team-api ("List Teams", "Get Team" with `members`)
//   roles       https://docs.opsgenie.com/docs/custom-user-role-api ("List Custom User Roles")
//   schedules   https://docs.opsgenie.com/docs/schedule-api ("List Schedules", `expand=rotation`)
//   escalations https://docs.opsgenie.com/docs/escalation-api ("List Escalations")
// The base URL is the unit's siteUrl: https://api.opsgenie.com, or https://api.eu.opsgenie.com for EU accounts
// (every API page: "If using the EU instance of Opsgenie, the URL needs to be https://api.eu.opsgenie.com").

/** Page size of `GET /v2/users`: the documented maximum (pagination page: "maximum value is 100"). */
export const OPSGENIE_PAGE_SIZE = 100;

// Named in 401/403 messages. Which access right each read needs is not spelled out per endpoint in the docs
// (unverified); the key-management page says configuration reads need a key that is not a team integration's.
const KEY =
  "an Opsgenie API key from Settings > API key management (or a global API integration's key) with the Read and " +
  "Configuration access rights; a team integration's key can only read its own team's configuration";
const requires = {
  users: `${KEY} (GET /v2/users)`,
  teams: `${KEY} (GET /v2/teams)`,
  team: (name: string) => `${KEY}, and access to team '${name}'`,
  roles: `${KEY}; custom user roles also need the admin role or the custom user role right`,
  schedules: `${KEY} (GET /v2/schedules)`,
  escalations: `${KEY} (GET /v2/escalations)`,
};

// `createdAt` is ISO-8601 in the docs' samples ("2017-05-12T08:34:05.064Z"): read by `timestamp`.

// Every response wraps its payload in `data` next to `took` and `requestId` (all API pages' samples).
const DataArray = z.object({ data: z.array(z.unknown()) });
const DataObject = z.object({ data: z.unknown() });

export const OpsgenieUser = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  fullName: str,
  // `role: {id, name}`; custom roles carry their own id, built-in roles an id equal to their name (user-api sample).
  role: z.object({ id: nonEmpty, name: nonEmpty }).nullish(),
  blocked: bool,
  verified: bool,
  timeZone: str,
  locale: str,
  createdAt: timestamp,
});

const OwnerTeam = z.object({ id: nonEmpty, name: nonEmpty }).nullish();

export const OpsgenieTeam = z.object({ id: z.string().min(1), name: z.string(), description: nonEmpty });

// `Get Team` → `data.members[] {user {id, username}, role}`; a team without members has no `members` field
// in the samples (unverified: treated as empty).
const TeamMember = z.object({ user: z.object({ id: z.string().min(1), username: str }), role: str });
const TeamDetail = z.object({ id: z.string().min(1), members: z.array(z.unknown()).nullish() });

export const OpsgenieCustomRole = z.object({
  id: z.string().min(1),
  name: z.string(),
  extendedRole: str,
  grantedRights: z.array(z.string()).nullish(),
  disallowedRights: z.array(z.string()).nullish(),
});

// Participants (schedule rotations) and recipients (escalation rules) share one shape:
// `{type, id?, name?, username?}`; `type: none` is an empty rotation slot with no id.
const Participant = z.object({
  type: z.enum(['user', 'team', 'escalation', 'group', 'schedule', 'none']),
  id: nonEmpty,
  name: nonEmpty,
  username: nonEmpty,
});
type ParticipantT = z.infer<typeof Participant>;

const Rotation = z.object({
  id: z.string().min(1),
  name: str,
  type: str,
  participants: z.array(Participant).nullish(),
});

export const OpsgenieSchedule = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: nonEmpty,
  enabled: bool,
  timezone: str,
  ownerTeam: OwnerTeam,
  rotations: z.array(Rotation).nullish(),
});

// Escalation rule delay: `{timeAmount, timeUnit}` with `timeUnit` minutes (default), hours or days
// (escalation-api, "Rule Fields"); written as minutes.
const UNIT_MINUTES: Readonly<Record<string, number>> = { minutes: 1, hours: 60, days: 1440 };
const Delay = z
  .object({ timeAmount: z.int(), timeUnit: z.string().nullish() })
  .nullish()
  .transform((d) => (d ? d.timeAmount * (UNIT_MINUTES[d.timeUnit ?? 'minutes'] ?? Number.NaN) : null))
  .transform((m) => (m === null || Number.isNaN(m) ? null : m));

const Rule = z.object({ condition: str, notifyType: str, delay: Delay, recipient: Participant });

export const OpsgenieEscalation = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: nonEmpty,
  ownerTeam: OwnerTeam,
  rules: z.array(Rule).nullish(),
});

/** An unpaged Opsgenie list (`{data: [...]}`): teams, custom roles, schedules and escalations take no paging parameters. */
function list<T>(path: string, item: z.ZodType<T>, needs: string, query?: Readonly<Record<string, string>>): PageStyle<T> {
  return single({ path, item, requires: needs, ...(query ? { query } : {}), select: (body, endpoint) => parsePayload(DataArray, body, endpoint).data });
}

const pagingEnvelope = z.object({ paging: z.object({ next: z.string().nullish() }).nullish() });

const users = defineStream<null, z.infer<typeof OpsgenieUser>>({
  name: 'users',
  // `GET /v2/users?offset=&limit=`: the end is a response without `paging.next` (pagination page: "If paging
  // information is available ... exact link of any available next ... page"). The offset advances by the
  // items received, so a server that returns fewer than asked never skips users.
  style: () =>
    offset({
      path: '/v2/users',
      item: OpsgenieUser,
      key: (u) => u.id,
      requires: requires.users,
      pageSize: OPSGENIE_PAGE_SIZE,
      startParam: 'offset',
      limitParam: 'limit',
      itemsField: 'data',
      // A stable order across pages (user-api: `sort` username | fullName | insertedAt, `order` asc | desc).
      query: { sort: 'username', order: 'asc' },
      isEnd: (body) => {
        const p = pagingEnvelope.safeParse(body);
        return !(p.success && p.data.paging?.next);
      },
    }),
  rows: (u) => [
    row(opsgenieUsers, {
      user_id: u.id,
      username: u.username,
      full_name: u.fullName,
      role_id: u.role?.id ?? null,
      role_name: u.role?.name ?? null,
      blocked: u.blocked,
      verified: u.verified,
      time_zone: u.timeZone,
      locale: u.locale,
      created_at: u.createdAt,
    }),
  ],
});

type TeamKey = { t: string; n: string };

const teamMembers = defineStream<TeamKey, z.infer<typeof TeamMember>>({
  name: 'team_members',
  // `GET /v2/teams/{id}?identifierType=id` ("Get Team"): the members come with the team, not from a list of
  // their own. A team deleted since the listing answers 404: its members are skipped.
  style: (k) =>
    single({
      path: `/v2/teams/${encodeURIComponent(k.t)}`,
      query: { identifierType: 'id' },
      item: TeamMember,
      requires: requires.team(k.n),
      select: (body, endpoint) => {
        const team = parsePayload(TeamDetail, parsePayload(DataObject, body, endpoint).data, endpoint, 'data');
        return team.members ?? [];
      },
    }),
  rows: (m, k) => [row(opsgenieTeamMembers, { team_id: k.t, team_name: k.n, user_id: m.user.id, username: m.user.username, role: m.role })],
  notFound: 'skip-parent',
});

const teams = defineStream<null, z.infer<typeof OpsgenieTeam>, TeamKey>({
  name: 'teams',
  style: () => list('/v2/teams', OpsgenieTeam, requires.teams),
  rows: (t) => [row(opsgenieTeams, { team_id: t.id, name: t.name, description: t.description })],
  childKey: (t) => ({ t: t.id, n: t.name }),
  children: [teamMembers],
});

const customRoles = defineStream<null, z.infer<typeof OpsgenieCustomRole>>({
  name: 'custom_roles',
  style: () => list('/v2/roles', OpsgenieCustomRole, requires.roles),
  rows: (r) => [
    row(opsgenieCustomRoles, {
      role_id: r.id,
      name: r.name,
      extended_role: r.extendedRole,
      granted_rights: r.grantedRights ?? [],
      disallowed_rights: r.disallowedRights ?? [],
    }),
  ],
});

function participantColumns(p: ParticipantT) {
  return { type: p.type, id: p.type === 'none' ? null : p.id, name: p.type === 'user' ? (p.username ?? p.name) : (p.name ?? p.username) };
}

const schedules = defineStream<null, z.infer<typeof OpsgenieSchedule>>({
  name: 'schedules',
  // `expand=rotation` makes List Schedules return each schedule's rotations with their participants, so one
  // request covers every schedule (schedule-api "List Schedules": "expand ... Possible value is rotation").
  style: () => list('/v2/schedules', OpsgenieSchedule, requires.schedules, { expand: 'rotation' }),
  rows: (s) => [
    row(opsgenieSchedules, {
      schedule_id: s.id,
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      timezone: s.timezone,
      owner_team_id: s.ownerTeam?.id ?? null,
      owner_team_name: s.ownerTeam?.name ?? null,
    }),
    ...(s.rotations ?? []).flatMap((r) =>
      (r.participants ?? []).map((p, position) => {
        const c = participantColumns(p);
        return row(opsgenieScheduleParticipants, {
          schedule_id: s.id,
          rotation_id: r.id,
          rotation_name: r.name,
          rotation_type: r.type,
          position,
          participant_type: c.type,
          participant_id: c.id,
          participant_name: c.name,
        });
      }),
    ),
  ],
});

const escalations = defineStream<null, z.infer<typeof OpsgenieEscalation>>({
  name: 'escalations',
  // List Escalations returns every escalation with its rules (no paging parameters, no expand).
  style: () => list('/v2/escalations', OpsgenieEscalation, requires.escalations),
  rows: (e) => [
    row(opsgenieEscalations, {
      escalation_id: e.id,
      name: e.name,
      description: e.description,
      owner_team_id: e.ownerTeam?.id ?? null,
      owner_team_name: e.ownerTeam?.name ?? null,
    }),
    ...(e.rules ?? []).map((r, i) => {
      const c = participantColumns(r.recipient);
      return row(opsgenieEscalationRecipients, {
        escalation_id: e.id,
        rule_index: i,
        condition: r.condition,
        notify_type: r.notifyType,
        delay_minutes: r.delay,
        recipient_type: c.type,
        recipient_id: c.id,
        recipient_name: c.name,
      });
    }),
  ],
});

/** Streams of an Opsgenie unit, in collection order. */
export function opsgenieStreams(_unit?: Pick<Unit, 'product'>): readonly Stream[] {
  return [users, teams, customRoles, schedules, escalations];
}

export const opsgenie: ProductModule<'opsgenie', NoOptions> = {
  product: 'opsgenie',
  title: 'Opsgenie',
  options: z.object({}),
  credentials: { kinds: ['genie-key'], envKind: 'genie-key', env: ['OPSGENIE_API_KEY', 'ATLASSIAN_SECRET_FILE'] },
  tables: opsgenieTables,
  streams: opsgenieStreams,
};
