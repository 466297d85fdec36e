/**
 * Simulated Jira Service Management operations tenant: a seeded model (custom user roles, schedules with
 * rotations, integrations, and Atlassian teams with their team roles, escalations and heartbeats), the routes
 * that serve it, the ground truth a perfect collector must produce and the minimum number of requests.
 *
 * Authority: Atlassian's reference "Jira Service Management ops / REST API"
 * (https://developer.atlassian.com/cloud/jira/service-desk-ops/rest/v2/intro/ and its api-group pages for
 * custom user roles, schedules, integrations, team roles, escalations, heartbeats) and the Teams public REST API
 * (https://developer.atlassian.com/platform/teams/rest/v1/api-group-teams-public-api/). Lists page with
 * `offset`/`size` and answer `{values, links: {next?}}`; the reference publishes no default or maximum `size`,
 * so both are options here (`defaultPageSize`, `maxPageSize`), as is the Teams API's "max 300".
 *
 * Routes: `/jsm/ops/api/{cloudId}/v1/...` (basic auth, the intro page's base) and the Teams API at
 * `/gateway/api/public/teams/v1/org/{orgId}/teams` on the same origin (the site). The limited account plays
 * a user without the read-only admin right: custom user roles answer 403 to it.
 */
import { bindRoutes, type ProductSim, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import { customRoleJson, scheduleJson, type Json } from './ops-json.ts';
import { hash32, Rng, uuidFrom } from './random.ts';
import type { RowInput } from '../shared/schema/table.ts';
import type {
  jsmOpsCustomRoles,
  jsmOpsEscalationRecipients,
  jsmOpsEscalations,
  jsmOpsHeartbeats,
  jsmOpsIntegrations,
  jsmOpsScheduleParticipants,
  jsmOpsSchedules,
  jsmOpsTeamMembers,
  jsmOpsTeamRoles,
  jsmOpsTeams,
} from '../functions/jsm-ops.tables.ts';
import { clampInt } from './params.ts';

export interface JsmOpsTenantOptions {
  seed?: number;
  /** Atlassian accounts that take part in rotations and rules, default 60. */
  users?: number;
  /** Teams, default 6. Team 0 has no operations configuration (every team list is empty). */
  teams?: number;
  /** The last N teams are listed by the Teams API but answer 404 on the operations API. Default 0. */
  vanishingTeams?: number;
  /** Custom user roles, default 3. */
  customRoles?: number;
  /** Schedules, default 130 (two pages at size 100). Schedule 0 has no rotation. */
  schedules?: number;
  /** Integrations, default 40; every third is global (no team). */
  integrations?: number;
  /** Escalations of team 1 (the others have 0–3), default 3. */
  bigTeamEscalations?: number;
  /** `size` when none is sent: unpublished, default 20 (Opsgenie's). */
  defaultPageSize?: number;
  /** Largest `size` honoured: unpublished, default 100 (Opsgenie's); a larger one is capped silently. */
  maxPageSize?: number;
  /** Largest Teams API `size`: "max 300". */
  maxTeamsPageSize?: number;
  /** Largest Teams API members `first`: unpublished, default 50. */
  maxMembersPageSize?: number;
}

type ParticipantType = 'user' | 'team' | 'escalation' | 'schedule' | 'none';
interface Participant {
  type: ParticipantType;
  id: string | null;
}

export interface JsmOpsModel {
  seed: number;
  orgId: string;
  accounts: string[];
  customRoles: { id: string; name: string; extendedRole: string; grantedRights: string[]; disallowedRights: string[] }[];
  teams: {
    id: string;
    name: string;
    description: string | null;
    vanishing: boolean;
    /** Indexes into `accounts`. */
    members: number[];
    roles: { id: string; name: string; rights: { right: string; granted: boolean }[] }[];
    escalations: { id: string; name: string; description: string | null; enabled: boolean; rules: { condition: string; notifyType: string; delay: number; recipient: Participant }[] }[];
    heartbeats: { name: string; description: string | null; interval: number; intervalUnit: string; enabled: boolean; status: string }[];
  }[];
  schedules: { id: string; name: string; description: string | null; enabled: boolean; timezone: string; teamId: string | null; rotations: { id: string; name: string; type: string; participants: Participant[] }[] }[];
  integrations: { id: string; name: string; type: string; enabled: boolean; teamId: string | null }[];
}

export interface JsmOpsSim extends ProductSim {
  model: JsmOpsModel;
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect collector makes at the given `size` (default 100, the collector's). */
  minimumRequests(pageSize?: number): number;
}

const TEAM_NAMES = ['Platform', 'Payments', 'SRE', 'Données', '運用チーム', 'Security', 'Mobile', 'Data', 'Web', 'Edge'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];
const USER_RIGHTS = ['alert-action', 'alert-create', 'alert-delete', 'alert-close', 'reports-access', 'logs-page-access'];
const TEAM_RIGHTS = ['access-reports', 'edit-escalations', 'delete-escalations', 'edit-heartbeats', 'edit-integrations', 'edit-schedules', 'edit-team-roles'];
const INTEGRATION_TYPES = ['API', 'Email', 'Datadog', 'Prometheus', 'Jira', 'Slack'];


function generateModel(o: JsmOpsTenantOptions): JsmOpsModel {
  const seed = clampInt(o.seed, 1, -Infinity);
  const nUsers = clampInt(o.users, 60, 1);
  const nTeams = clampInt(o.teams, 6, 0);
  const vanishing = clampInt(o.vanishingTeams, 0, 0);
  // Atlassian account ids (the `712020:<uuid>` form of newer accounts).
  const accounts = Array.from({ length: nUsers }, (_, i) => `712020:${uuidFrom(seed, 'ops-account', i)}`);

  const customRoles = Array.from({ length: clampInt(o.customRoles, 3, 0) }, (_, r) => {
    const rr = new Rng(hash32(seed, 'ops-role', r));
    return {
      id: uuidFrom(seed, 'ops-role', r),
      name: r === 1 ? 'Équipe d’astreinte 🚨' : `Custom role ${r}`,
      extendedRole: (['user', 'observer', 'stakeholder'] as const)[r % 3] ?? 'user',
      grantedRights: r === 2 ? [] : Array.from(rr.sample(USER_RIGHTS.length, 1 + rr.int(3)), (i) => USER_RIGHTS[i] ?? 'alert-action'),
      disallowedRights: r === 2 ? [] : Array.from(rr.sample(USER_RIGHTS.length, rr.int(2)), (i) => USER_RIGHTS[(i + 3) % USER_RIGHTS.length] ?? 'alert-close'),
    };
  });

  const teamIds = Array.from({ length: nTeams }, (_, t) => uuidFrom(seed, 'ops-team', t));
  const pickParticipant = (r: Rng, types: readonly ParticipantType[], escalationIds: readonly string[]): Participant => {
    const type = r.pick(types.filter((k) => (k === 'team' ? nTeams > 0 : k === 'escalation' ? escalationIds.length > 0 : true)));
    if (type === 'none') return { type, id: null };
    if (type === 'team') return { type, id: r.pick(teamIds) };
    if (type === 'escalation') return { type, id: r.pick(escalationIds) };
    return { type, id: r.pick(accounts) };
  };

  const teams: JsmOpsModel['teams'] = [];
  for (let t = 0; t < nTeams; t++) {
    const tr = new Rng(hash32(seed, 'ops-team', t));
    const empty = t === 0;
    const nEsc = empty ? 0 : t === 1 ? clampInt(o.bigTeamEscalations, 3, 0) : tr.int(4);
    const escalations = Array.from({ length: nEsc }, (_, e) => ({
      id: uuidFrom(seed, 'ops-escalation', t, e),
      name: e === 1 ? 'Eskalation — Nacht 🌙' : `${TEAM_NAMES[t] ?? `Team ${t}`} escalation ${e}`,
      description: e % 2 ? null : 'Escalation policy',
      enabled: e % 5 !== 4,
      // The last escalation of a team has no rule.
      rules: Array.from({ length: e === nEsc - 1 && nEsc > 1 ? 0 : 1 + tr.int(4) }, () => ({
        condition: tr.chance(0.7) ? 'if-not-acked' : 'if-not-closed',
        notifyType: tr.pick(['default', 'next', 'previous', 'users', 'admins', 'all'] as const),
        delay: tr.int(60),
        recipient: pickParticipant(tr, ['user', 'user', 'team'], []),
      })),
    }));
    teams.push({
      id: teamIds[t] ?? '',
      name: TEAM_NAMES[t] ?? `Team ${t}`,
      description: t % 3 === 1 ? null : `${TEAM_NAMES[t] ?? `Team ${t}`} on-call — ünïcode`,
      vanishing: t >= nTeams - vanishing,
      // Team 0 has no member, team 1 most accounts (several pages of members).
      members: t === 0 ? [] : Array.from(tr.sample(nUsers, t === 1 ? Math.max(1, Math.floor(nUsers * 0.9)) : 1 + tr.int(Math.min(12, nUsers)))),
      roles: empty
        ? []
        : Array.from({ length: tr.int(3) }, (_, r) => ({
            id: uuidFrom(seed, 'ops-team-role', t, r),
            name: `teamRole${r + 1}`,
            rights: TEAM_RIGHTS.map((right) => ({ right, granted: tr.chance(0.6) })),
          })),
      escalations,
      heartbeats: empty
        ? []
        : Array.from({ length: tr.int(3) }, (_, h) => ({
            name: h === 1 ? 'DNS-Prüfung ✓' : `${TEAM_NAMES[t] ?? `Team ${t}`} heartbeat ${h}`,
            description: h % 2 ? null : 'Checks the service is up',
            interval: 1 + tr.int(30),
            intervalUnit: tr.pick(['minutes', 'hours', 'days'] as const),
            enabled: h !== 2,
            status: tr.pick(['Active', 'Expired', 'Inactive'] as const),
          })),
    });
  }
  const escalationIds = teams.flatMap((t) => t.escalations.map((e) => e.id));

  const nSchedules = clampInt(o.schedules, 130, 0);
  const schedules: JsmOpsModel['schedules'] = Array.from({ length: nSchedules }, (_, s) => {
    const sr = new Rng(hash32(seed, 'ops-schedule', s));
    const nRot = s === 0 ? 0 : 1 + sr.int(3);
    return {
      id: uuidFrom(seed, 'ops-schedule', s),
      name: s === 2 ? 'Rufbereitschaft — 週末' : `Schedule ${s}`,
      description: s % 2 ? null : 'On-call rotation',
      enabled: s % 4 !== 3,
      timezone: ZONES[s % ZONES.length] ?? 'UTC',
      teamId: nTeams && s % 3 !== 2 ? (teamIds[s % nTeams] ?? null) : null,
      rotations: Array.from({ length: nRot }, (_, r) => ({
        id: uuidFrom(seed, 'ops-rotation', s, r),
        name: `Rotation ${r + 1}`,
        type: sr.pick(['daily', 'weekly', 'hourly'] as const),
        // The same participant may appear twice; `none` is an empty slot.
        participants: Array.from({ length: r === 2 ? 0 : 1 + sr.int(6) }, () => pickParticipant(sr, ['user', 'user', 'user', 'team', 'escalation', 'none'], escalationIds)),
      })),
    };
  });

  const integrations: JsmOpsModel['integrations'] = Array.from({ length: clampInt(o.integrations, 40, 0) }, (_, i) => ({
    id: uuidFrom(seed, 'ops-integration', i),
    name: i === 3 ? 'Prometheus — prod ☁️' : `Integration ${i}`,
    type: INTEGRATION_TYPES[hash32(seed, 'ops-int-type', i) % INTEGRATION_TYPES.length] ?? 'API',
    enabled: i % 6 !== 5,
    teamId: i % 3 === 0 || !nTeams ? null : (teamIds[i % nTeams] ?? null),
  }));

  return { seed, orgId: uuidFrom(seed, 'ops-org'), accounts, customRoles, teams, schedules, integrations };
}

/** Error body of the operations API (intro page: `{"errors": [{"title": "..."}]}`). */
export function jsmOpsErrorBody(message: string): Json {
  return { errors: [{ title: message }] };
}

/** The tenant's state: its model and page limits (the handlers read the tenant from here). */
export interface JsmOpsState {
  model: JsmOpsModel;
  defaultPage: number;
  maxPage: number;
  maxTeamsPage: number;
  maxMembersPage: number;
}

const fail = (status: number, message: string): RouteResult => ({ status, body: jsmOpsErrorBody(message) });
const BASE = '/jsm/ops/api/{cloudId}';

/** One page of an operations list: `offset`/`size`, `values`, `links.next` while more remain. */
function list(state: JsmOpsState, ctx: RouteContext, all: readonly Json[], linkPath: string): RouteResult {
  const sizeRaw = ctx.query.get('size');
  const offRaw = ctx.query.get('offset');
  const size = sizeRaw === null ? state.defaultPage : Number(sizeRaw);
  const off = offRaw === null ? 0 : Number(offRaw);
  if (!Number.isInteger(size) || size < 1) return fail(400, 'size must be a positive integer');
  if (!Number.isInteger(off) || off < 0) return fail(400, 'offset must be a non-negative integer');
  const applied = Math.min(size, state.maxPage);
  const { items } = ctx.page(all.slice(off, off + applied));
  const links: Record<string, Json> = {};
  // The samples' `next` is relative to the API base ("/v1/schedules?offset=50&size=25").
  if (off + items.length < all.length) links.next = `${linkPath}?offset=${off + items.length}&size=${applied}`;
  return { status: 200, body: { values: items, links } };
}

type Team = JsmOpsModel['teams'][number];

/** A list under one team (`/v1/teams/{teamId}/...`): 404 for an unknown or vanished team, else `items` of it, paged. */
function teamList(items: (t: Team) => Json[], list_: string): (state: JsmOpsState, ctx: RouteContext) => RouteResult {
  return (state, ctx) => {
    const t = state.model.teams.find((x) => x.id === ctx.params.teamId);
    if (!t || t.vanishing) return fail(404, `Team with id [${ctx.params.teamId ?? ''}] does not exist`);
    return list(state, ctx, items(t), `/v1/teams/${t.id}/${list_}`);
  };
}

function customRoles(state: JsmOpsState, ctx: RouteContext): RouteResult {
  return list(state, ctx, state.model.customRoles.map(customRoleJson), '/v1/roles');
}

function schedules(state: JsmOpsState, ctx: RouteContext): RouteResult {
  const expand = ctx.query.getAll('expand').flatMap((v) => v.split(',')).includes('rotation');
  const json = (s: JsmOpsModel['schedules'][number]) => scheduleJson(s, s.teamId ? { teamId: s.teamId } : {}, expand, (p): Json => (p.type === 'none' ? { type: 'none' } : { type: p.type, id: p.id }));
  return list(state, ctx, state.model.schedules.map(json), '/v1/schedules');
}

function integrations(state: JsmOpsState, ctx: RouteContext): RouteResult {
  return list(
    state,
    ctx,
    state.model.integrations.map((i) => ({ id: i.id, name: i.name, type: i.type, enabled: i.enabled, ...(i.teamId ? { teamId: i.teamId } : {}) })),
    '/v1/integrations',
  );
}

const teamRoles = teamList((t) => t.roles.map((r) => ({ id: r.id, name: r.name, rights: r.rights })), 'roles');

const escalations = teamList(
  (t) =>
    t.escalations.map((e) => ({
      id: e.id,
      name: e.name,
      ...(e.description ? { description: e.description } : {}),
      rules: e.rules.map((r) => ({ condition: r.condition, notifyType: r.notifyType, delay: r.delay, recipient: { id: r.recipient.id, type: r.recipient.type } })),
      enabled: e.enabled,
      repeat: { waitInterval: 10, count: 1, resetRecipientStates: false, closeAlertAfterAll: false },
    })),
  'escalations',
);

const heartbeats = teamList(
  (t) =>
    t.heartbeats.map((h) => ({
      name: h.name,
      ...(h.description ? { description: h.description } : {}),
      interval: h.interval,
      intervalUnit: h.intervalUnit,
      enabled: h.enabled,
      status: h.status,
      ownerTeamId: t.id,
      alertMessage: `${h.name} is expired`,
      alertTags: ['heartbeat'],
      alertPriority: 'P3',
    })),
  'heartbeats',
);

// Teams public REST API: `cursor` and `size` in, `{entities, cursor}` out; the cursor is opaque (here the
// base64 of the next offset) and absent on the last page.
function teams(state: JsmOpsState, ctx: RouteContext): RouteResult {
  const { model } = state;
  if (ctx.params.orgId !== model.orgId) return fail(404, `Organization ${ctx.params.orgId ?? ''} not found`);
  const sizeRaw = ctx.query.get('size');
  const size = Math.min(sizeRaw === null ? 50 : Number(sizeRaw), state.maxTeamsPage);
  if (!Number.isInteger(size) || size < 1) return fail(400, 'size must be a positive integer');
  const cursor = ctx.query.get('cursor');
  const off = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(off) || off < 0) return fail(400, 'invalid cursor');
  const { items } = ctx.page(model.teams.slice(off, off + size));
  const next = off + items.length;
  return {
    status: 200,
    body: {
      entities: items.map((t) => ({
        teamId: t.id,
        displayName: t.name,
        ...(t.description ? { description: t.description } : {}),
        state: 'ACTIVE',
        teamType: 'MEMBER_INVITE',
        organizationId: model.orgId,
      })),
      ...(next < model.teams.length ? { cursor: Buffer.from(String(next), 'utf8').toString('base64url') } : {}),
    },
  };
}

// Teams API members: POST `{first, after}` → `{results: [{accountId}], pageInfo: {endCursor, hasNextPage}}`.
function teamMembers(state: JsmOpsState, ctx: RouteContext): RouteResult {
  const { model } = state;
  if (ctx.params.orgId !== model.orgId) return fail(404, `Organization ${ctx.params.orgId ?? ''} not found`);
  const t = model.teams.find((x) => x.id === ctx.params.teamId);
  if (!t) return fail(404, `Team ${ctx.params.teamId ?? ''} not found`);
  let body: { first?: unknown; after?: unknown };
  try {
    body = (ctx.body ? JSON.parse(ctx.body) : {}) as { first?: unknown; after?: unknown };
  } catch {
    return fail(400, 'invalid JSON body');
  }
  const first = Math.min(typeof body.first === 'number' ? body.first : 50, state.maxMembersPage);
  const off = typeof body.after === 'string' ? Number(Buffer.from(body.after, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(first) || first < 1 || !Number.isInteger(off) || off < 0) return fail(400, 'invalid first or after');
  const { items } = ctx.page(t.members.slice(off, off + first));
  const next = off + items.length;
  const more = next < t.members.length;
  return {
    status: 200,
    body: {
      results: items.map((a) => ({ accountId: model.accounts[a] ?? '' })),
      pageInfo: { hasNextPage: more, ...(more ? { endCursor: Buffer.from(String(next), 'utf8').toString('base64url') } : {}) },
    },
  };
}

/** The route table (operations reference and Teams public REST API pages named in the file header). */
export const JSM_OPS_ROUTES: RouteTable<JsmOpsState> = [
  // Custom user roles page: "The user should have admin role and custom user role right". Wording unverified.
  { method: 'GET', path: `${BASE}/v1/roles`, paged: true, denyLimited: { status: 403, message: 'User does not have the admin role and the custom user role right' }, handle: customRoles },
  { method: 'GET', path: `${BASE}/v1/schedules`, paged: true, handle: schedules },
  { method: 'GET', path: `${BASE}/v1/integrations`, paged: true, handle: integrations },
  { method: 'GET', path: `${BASE}/v1/teams/{teamId}/roles`, paged: true, handle: teamRoles },
  { method: 'GET', path: `${BASE}/v1/teams/{teamId}/escalations`, paged: true, handle: escalations },
  { method: 'GET', path: `${BASE}/v1/teams/{teamId}/heartbeats`, paged: true, handle: heartbeats },
  { method: 'GET', path: '/gateway/api/public/teams/v1/org/{orgId}/teams', paged: true, handle: teams },
  { method: 'POST', path: '/gateway/api/public/teams/v1/org/{orgId}/teams/{teamId}/members', paged: true, handle: teamMembers },
];

export function jsmOpsTenant(opts: JsmOpsTenantOptions = {}): JsmOpsSim {
  const model = generateModel(opts);
  const state: JsmOpsState = {
    model,
    defaultPage: clampInt(opts.defaultPageSize, 20, 1),
    maxPage: clampInt(opts.maxPageSize, 100, 1),
    maxTeamsPage: clampInt(opts.maxTeamsPageSize, 300, 1),
    maxMembersPage: clampInt(opts.maxMembersPageSize, 50, 1),
  };
  const { maxPage, maxTeamsPage, maxMembersPage } = state;

  function groundTruth(): Record<string, Record<string, unknown>[]> {
    const src = 'jsm-ops' as const;
    const live = model.teams.filter((t) => !t.vanishing);
    const roles: RowInput<typeof jsmOpsCustomRoles>[] = model.customRoles.map((r) => ({
      source: src,
      role_id: r.id,
      name: r.name,
      extended_role: r.extendedRole,
      granted_rights: r.grantedRights,
      disallowed_rights: r.disallowedRights,
    }));
    const schedules: RowInput<typeof jsmOpsSchedules>[] = model.schedules.map((s) => ({
      source: src,
      schedule_id: s.id,
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      timezone: s.timezone,
      owner_team_id: s.teamId,
      owner_team_name: null,
    }));
    const participants: RowInput<typeof jsmOpsScheduleParticipants>[] = model.schedules.flatMap((s) =>
      s.rotations.flatMap((r) =>
        r.participants.map((p, position) => ({
          source: src,
          schedule_id: s.id,
          rotation_id: r.id,
          rotation_name: r.name,
          rotation_type: r.type,
          position,
          participant_type: p.type,
          participant_id: p.id,
          participant_name: null,
        })),
      ),
    );
    const integrations: RowInput<typeof jsmOpsIntegrations>[] = model.integrations.map((i) => ({
      source: src,
      integration_id: i.id,
      name: i.name,
      type: i.type,
      enabled: i.enabled,
      owner_team_id: i.teamId,
    }));
    const teams: RowInput<typeof jsmOpsTeams>[] = model.teams.map((t) => ({ source: src, team_id: t.id, name: t.name, description: t.description, state: 'ACTIVE' }));
    const members: RowInput<typeof jsmOpsTeamMembers>[] = model.teams.flatMap((t) =>
      t.members.map((a) => ({ source: src, team_id: t.id, team_name: t.name, user_id: model.accounts[a] ?? '', username: null, role: null })),
    );
    const teamRoles: RowInput<typeof jsmOpsTeamRoles>[] = live.flatMap((t) =>
      t.roles.map((r) => ({
        source: src,
        team_id: t.id,
        role_id: r.id,
        name: r.name,
        granted_rights: r.rights.filter((x) => x.granted).map((x) => x.right),
        disallowed_rights: r.rights.filter((x) => !x.granted).map((x) => x.right),
      })),
    );
    const escalations: RowInput<typeof jsmOpsEscalations>[] = live.flatMap((t) =>
      t.escalations.map((e) => ({ source: src, escalation_id: e.id, name: e.name, description: e.description, owner_team_id: t.id, owner_team_name: null, enabled: e.enabled })),
    );
    const recipients: RowInput<typeof jsmOpsEscalationRecipients>[] = live.flatMap((t) =>
      t.escalations.flatMap((e) =>
        e.rules.map((r, i) => ({
          source: src,
          escalation_id: e.id,
          rule_index: i,
          condition: r.condition,
          notify_type: r.notifyType,
          delay_minutes: r.delay,
          recipient_type: r.recipient.type,
          recipient_id: r.recipient.id,
          recipient_name: null,
        })),
      ),
    );
    const heartbeats: RowInput<typeof jsmOpsHeartbeats>[] = live.flatMap((t) =>
      t.heartbeats.map((h) => ({
        source: src,
        owner_team_id: t.id,
        name: h.name,
        description: h.description,
        enabled: h.enabled,
        interval: h.interval,
        interval_unit: h.intervalUnit,
        status: h.status,
      })),
    );
    return {
      jsm_ops_custom_roles: roles,
      jsm_ops_schedules: schedules,
      jsm_ops_schedule_participants: participants,
      jsm_ops_integrations: integrations,
      jsm_ops_teams: teams,
      jsm_ops_team_members: members,
      jsm_ops_team_roles: teamRoles,
      jsm_ops_escalations: escalations,
      jsm_ops_escalation_recipients: recipients,
      jsm_ops_heartbeats: heartbeats,
    };
  }

  function minimumRequests(pageSize = 100): number {
    const size = Math.min(pageSize, maxPage);
    const pages = (n: number, s = size) => Math.max(1, Math.ceil(n / s));
    // Members come from the Teams API, which still lists a vanished team; its first operations list (team
    // roles) answers 404, which skips its other lists.
    const perTeam = model.teams.reduce(
      (n, t) => n + pages(t.members.length, Math.min(50, maxMembersPage)) + (t.vanishing ? 1 : pages(t.roles.length) + pages(t.escalations.length) + pages(t.heartbeats.length)),
      0,
    );
    return pages(model.customRoles.length) + pages(model.schedules.length) + pages(model.integrations.length) + pages(model.teams.length, Math.min(300, maxTeamsPage)) + perTeam;
  }

  return {
    name: 'jsm-ops',
    routes: bindRoutes(JSM_OPS_ROUTES, state),
    auth: { basic: true, bearer: false },
    // 401 wording unverified; the body shape is the intro page's.
    errorBody: (status, message) => jsmOpsErrorBody(status === 401 ? 'Unauthorized: the credentials are invalid' : message),
    model,
    groundTruth,
    minimumRequests,
  };
}
