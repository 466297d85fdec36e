/**
 * Simulated Opsgenie account: a seeded model (users with account roles, custom user roles, teams with their
 * members, schedules with rotations, escalations with rules), the REST v2 routes that serve it, the ground
 * truth a perfect collector must produce, and the minimum number of requests it needs.
 *
 * Authority: Opsgenie's published REST docs (no OpenAPI file in ../shared/atlassian-openapi):
 * https://docs.opsgenie.com/docs/authentication, /docs/pagination, /docs/user-api, /docs/team-api,
 * /docs/custom-user-role-api, /docs/schedule-api, /docs/escalation-api, and
 * https://support.atlassian.com/opsgenie/docs/api-key-management. Anything marked "unverified" is not in
 * those pages and is an option here.
 *
 * Auth: `Authorization: GenieKey <key>` (server option `auth: { genieKey: true }`). The simulator's limited key
 * plays a team integration's key: it authenticates but may not read account-wide configuration (403).
 */
import { bindRoutes, type ProductSim, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import { customRoleJson, scheduleJson, type Json } from './ops-json.ts';
import { hash32, Rng, unit, uuidFrom } from './random.ts';
import type {
  opsgenieCustomRoles,
  opsgenieEscalationRecipients,
  opsgenieEscalations,
  opsgenieScheduleParticipants,
  opsgenieSchedules,
  opsgenieTeamMembers,
  opsgenieTeams,
  opsgenieUsers,
} from '../functions/opsgenie.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { clampInt } from './params.ts';

export interface OpsgenieTenantOptions {
  seed?: number;
  /** Users, default 250 (three pages of 100). User 0 is the account owner. */
  users?: number;
  /** Teams, default 8. Team 0 has no member; team 1 has most users. */
  teams?: number;
  /** Custom user roles, default 3. */
  customRoles?: number;
  /** Schedules, default 5. Schedule 0 has no rotation. */
  schedules?: number;
  /** Escalations, default 4. */
  escalations?: number;
  /** The last N teams are listed but answer 404 on `Get Team` (deleted meanwhile). Default 0. */
  vanishingTeams?: number;
  /** `limit` when none is sent: "Default value is 20" (pagination page). */
  defaultPageSize?: number;
  /** Largest `limit` honoured: "maximum value is 100" (pagination page). A larger one is capped (unverified: the API may answer 422). */
  maxPageSize?: number;
}

export type OpsgenieParticipantType = 'user' | 'team' | 'escalation' | 'schedule' | 'none';

export interface OpsgenieUserRecord {
  id: string;
  username: string;
  fullName: string;
  /** Role id and name; built-in roles use their name as id (user-api sample). */
  role: { id: string; name: string };
  blocked: boolean;
  verified: boolean;
  /** Absent when null. */
  timeZone: string | null;
  locale: string;
  createdAt: number;
}

export interface OpsgenieCustomRoleRecord {
  id: string;
  name: string;
  extendedRole: 'user' | 'observer' | 'stakeholder';
  /** Absent from the JSON when empty (unverified). */
  grantedRights: string[];
  disallowedRights: string[];
}

export interface OpsgenieTeamRecord {
  id: string;
  name: string;
  /** Absent when null. */
  description: string | null;
  members: { user: number; role: 'admin' | 'user' }[];
  vanishing: boolean;
}

/** A participant (rotation) or recipient (escalation rule): `index` into users, teams, escalations or schedules. */
export interface OpsgenieParticipantRecord {
  type: OpsgenieParticipantType;
  index: number;
}

export interface OpsgenieScheduleRecord {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  timezone: string;
  /** Index into teams; null = a global schedule (no `ownerTeam`). */
  ownerTeam: number | null;
  rotations: { id: string; name: string; type: 'daily' | 'weekly' | 'hourly'; participants: OpsgenieParticipantRecord[] }[];
}

export interface OpsgenieEscalationRecord {
  id: string;
  name: string;
  description: string | null;
  ownerTeam: number | null;
  rules: {
    condition: 'if-not-acked' | 'if-not-closed';
    notifyType: 'default' | 'next' | 'previous' | 'users' | 'admins' | 'all';
    delay: { timeAmount: number; timeUnit: 'minutes' | 'hours' | 'days' };
    recipient: OpsgenieParticipantRecord;
  }[];
}

export interface OpsgenieModel {
  seed: number;
  users: OpsgenieUserRecord[];
  customRoles: OpsgenieCustomRoleRecord[];
  teams: OpsgenieTeamRecord[];
  schedules: OpsgenieScheduleRecord[];
  escalations: OpsgenieEscalationRecord[];
}

export interface OpsgenieSim extends ProductSim {
  model: OpsgenieModel;
  /** Table name -> rows, without `site`, `collected_at` and `deployment`. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at limit=100. */
  minimumRequests(): number;
}

// ---------------------------------------------------------------------------------------------
// Generation

const FIRST = ['Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya'];
const LAST = ['Anders', 'Becker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Müller', 'Nakamura'];
const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'محمد الأحمد', 'José Núñez 🚀', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash'];
const TEAM_NAMES = ['Platform', 'Payments', 'SRE', 'Données', '運用チーム', 'Security', 'Mobile', 'Data', 'Web', 'Edge'];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];
const RIGHTS = ['alert-delete', 'alert-close', 'alert-escalate', 'alert-update-priority', 'logs-page-access', 'reports-access', 'profile-edit', 'contacts-edit', 'custom-user-role-edit'];
const BUILT_IN = ['Admin', 'User', 'Observer', 'Stakeholder'];
const BASE_TIME = Date.UTC(2018, 4, 12, 8, 34, 5, 64);
const DAY = 86_400_000;


function generateModel(opts: OpsgenieTenantOptions): OpsgenieModel {
  const seed = clampInt(opts.seed, 1, -Infinity);
  const nUsers = clampInt(opts.users, 250, 1);
  const nTeams = clampInt(opts.teams, 8, 0);
  const nRoles = clampInt(opts.customRoles, 3, 0);
  const nSchedules = clampInt(opts.schedules, 5, 0);
  const nEscalations = clampInt(opts.escalations, 4, 0);
  const vanishing = clampInt(opts.vanishingTeams, 0, 0);

  const customRoles: OpsgenieCustomRoleRecord[] = [];
  for (let r = 0; r < nRoles; r++) {
    const rr = new Rng(hash32(seed, 'og-role', r));
    customRoles.push({
      id: uuidFrom(seed, 'og-role', r),
      name: r === 1 ? 'Équipe d’astreinte 🚨' : `Custom role ${r}`,
      extendedRole: (['user', 'observer', 'stakeholder'] as const)[r % 3] ?? 'user',
      // Role 2 changes nothing: both lists empty (and absent from the JSON).
      grantedRights: r === 2 ? [] : Array.from(rr.sample(RIGHTS.length, 1 + rr.int(3)), (i) => RIGHTS[i] ?? 'alert-delete'),
      disallowedRights: r === 2 ? [] : Array.from(rr.sample(RIGHTS.length, rr.int(3)), (i) => RIGHTS[(i + 4) % RIGHTS.length] ?? 'profile-edit'),
    });
  }

  const users: OpsgenieUserRecord[] = [];
  for (let i = 0; i < nUsers; i++) {
    const roll = unit(seed, 'og-user-role', i);
    const custom = customRoles.length > 0 && roll > 0.85 ? customRoles[i % customRoles.length] : undefined;
    const builtIn = i === 0 ? 'Owner' : roll < 0.1 ? 'Admin' : roll < 0.7 ? 'User' : roll < 0.78 ? 'Observer' : (BUILT_IN[3] ?? 'Stakeholder');
    const fullName =
      i === 0
        ? 'Access Collector'
        : i % 11 === 4
          ? (UNICODE_NAMES[Math.floor(i / 11) % UNICODE_NAMES.length] ?? 'Zoë Ångström')
          : `${FIRST[hash32(seed, 'og-first', i) % FIRST.length] ?? 'Alex'} ${LAST[hash32(seed, 'og-last', i) % LAST.length] ?? 'Doe'}`;
    users.push({
      id: uuidFrom(seed, 'og-user', i),
      // Usernames are e-mail addresses; some with a plus and upper case, which sorting must not trip on.
      username: i === 0 ? 'collector@acme.example' : i % 23 === 7 ? `Ops+${i}@ACME.example` : `user${String(i).padStart(4, '0')}@acme.example`,
      fullName,
      role: custom ? { id: custom.id, name: custom.name } : { id: builtIn, name: builtIn },
      blocked: i !== 0 && i % 17 === 5,
      verified: i === 0 || i % 9 !== 3,
      timeZone: i % 13 === 8 ? null : (ZONES[i % ZONES.length] ?? 'UTC'),
      locale: i % 5 === 2 ? 'de_DE' : 'en_US',
      createdAt: BASE_TIME + Math.floor(unit(seed, 'og-created', i) * 2000) * DAY,
    });
  }

  const teams: OpsgenieTeamRecord[] = [];
  for (let t = 0; t < nTeams; t++) {
    const tr = new Rng(hash32(seed, 'og-team', t));
    const size = t === 0 ? 0 : t === 1 ? Math.max(1, Math.floor(nUsers * 0.6)) : 1 + tr.int(Math.min(12, nUsers));
    const picked = Array.from(tr.sample(nUsers, size));
    teams.push({
      id: uuidFrom(seed, 'og-team', t),
      name: TEAM_NAMES[t] ?? `Team ${t}`,
      description: t % 3 === 1 ? null : `${TEAM_NAMES[t] ?? `Team ${t}`} on-call — ünïcode`,
      members: picked.map((u, k) => ({ user: u, role: k === 0 || tr.chance(0.1) ? 'admin' : 'user' })),
      vanishing: t >= nTeams - vanishing,
    });
  }

  const someone = (r: Rng, types: readonly OpsgenieParticipantType[], counts: Record<OpsgenieParticipantType, number>): OpsgenieParticipantRecord => {
    const usable = types.filter((k) => k === 'none' || counts[k] > 0);
    const type = r.pick(usable.length ? usable : (['none'] as const));
    return { type, index: type === 'none' ? 0 : r.int(counts[type]) };
  };

  const schedules: OpsgenieScheduleRecord[] = [];
  const escalations: OpsgenieEscalationRecord[] = [];
  const counts = (): Record<OpsgenieParticipantType, number> => ({ user: nUsers, team: nTeams, escalation: escalations.length, schedule: schedules.length, none: 1 });

  for (let e = 0; e < nEscalations; e++) {
    const er = new Rng(hash32(seed, 'og-escalation', e));
    const nRules = e === nEscalations - 1 && nEscalations > 1 ? 0 : 1 + er.int(4);
    const rules: OpsgenieEscalationRecord['rules'] = [];
    for (let k = 0; k < nRules; k++) {
      const unitOf = er.pick(['minutes', 'minutes', 'hours', 'days'] as const);
      rules.push({
        condition: er.chance(0.7) ? 'if-not-acked' : 'if-not-closed',
        notifyType: er.pick(['default', 'next', 'previous', 'users', 'admins', 'all'] as const),
        delay: { timeAmount: unitOf === 'days' ? 1 : er.int(60), timeUnit: unitOf },
        // Escalation recipients: user, team or schedule (escalation-api "Recipient Fields"); schedules come
        // later, so rules point at users and teams here and schedules are added below.
        recipient: someone(er, ['user', 'team'], counts()),
      });
    }
    escalations.push({
      id: uuidFrom(seed, 'og-escalation', e),
      name: e === 1 ? 'Eskalation — Nacht 🌙' : `Escalation ${e}`,
      description: e % 2 ? null : 'Escalation policy',
      ownerTeam: nTeams && e % 2 === 0 ? e % nTeams : null,
      rules,
    });
  }

  for (let s = 0; s < nSchedules; s++) {
    const sr = new Rng(hash32(seed, 'og-schedule', s));
    const nRot = s === 0 ? 0 : 1 + sr.int(3);
    schedules.push({
      id: uuidFrom(seed, 'og-schedule', s),
      name: s === 2 ? 'Rufbereitschaft — 週末' : `Schedule ${s}`,
      description: s % 2 ? null : 'On-call rotation',
      enabled: s % 4 !== 3,
      timezone: ZONES[s % ZONES.length] ?? 'UTC',
      ownerTeam: nTeams && s % 3 !== 2 ? s % nTeams : null,
      rotations: Array.from({ length: nRot }, (_, r) => ({
        id: uuidFrom(seed, 'og-rotation', s, r),
        name: `Rotation ${r + 1}`,
        type: sr.pick(['daily', 'weekly', 'hourly'] as const),
        // Rotation participants: user, team, escalation or none (schedule-api "Participant Fields"); the
        // same participant may appear twice.
        participants: Array.from({ length: r === 2 ? 0 : 1 + sr.int(6) }, () => someone(sr, ['user', 'user', 'user', 'team', 'escalation', 'none'], counts())),
      })),
    });
  }
  // A few escalation rules notify a schedule's on-call users.
  if (schedules.length) {
    for (const e of escalations) {
      const first = e.rules[0];
      if (first && hash32(seed, 'og-esc-sched', e.id) % 2 === 0) first.recipient = { type: 'schedule', index: hash32(seed, 'og-esc-which', e.id) % schedules.length };
    }
  }
  return { seed, users, customRoles, teams, schedules, escalations };
}

// ---------------------------------------------------------------------------------------------
// JSON

function participantJson(m: OpsgenieModel, p: OpsgenieParticipantRecord): Json {
  switch (p.type) {
    case 'user': {
      const u = m.users[p.index];
      return { type: 'user', id: u?.id ?? '', username: u?.username ?? '' };
    }
    case 'team': {
      const t = m.teams[p.index];
      return { type: 'team', id: t?.id ?? '', name: t?.name ?? '' };
    }
    case 'escalation': {
      const e = m.escalations[p.index];
      return { type: 'escalation', id: e?.id ?? '', name: e?.name ?? '' };
    }
    case 'schedule': {
      const s = m.schedules[p.index];
      return { type: 'schedule', id: s?.id ?? '', name: s?.name ?? '' };
    }
    case 'none':
      return { type: 'none' };
  }
}

function participantRow(m: OpsgenieModel, p: OpsgenieParticipantRecord): { type: OpsgenieParticipantType; id: string | null; name: string | null } {
  const j = participantJson(m, p) as Record<string, string>;
  return { type: p.type, id: j.id ?? null, name: j.username ?? j.name ?? null };
}

function ownerTeamJson(m: OpsgenieModel, t: number | null): Record<string, Json> {
  const team = t === null ? undefined : m.teams[t];
  return team ? { ownerTeam: { id: team.id, name: team.name } } : {};
}

function userJson(u: OpsgenieUserRecord): Json {
  return {
    blocked: u.blocked,
    verified: u.verified,
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    role: { id: u.role.id, name: u.role.name },
    ...(u.timeZone ? { timeZone: u.timeZone } : {}),
    locale: u.locale,
    userAddress: { country: '', state: '', city: '', line: '', zipCode: '' },
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

/** Opsgenie's error body: `{message, took, requestId}` (every API page's error samples). */
export function opsgenieErrorBody(message: string): Json {
  return { message, took: 0.002, requestId: uuidFrom('og-request', message) };
}

// ---------------------------------------------------------------------------------------------
// Routes and truth

const DENY_TEAM_KEY = {
  status: 403,
  // Wording unverified; the team-member page documents "403 - Forbidden (Unauthorized) with 40301 internal code".
  message: 'You are not authorized to perform this action: a team integration key cannot read account configuration.',
};

/** The tenant's state: its model and page limits (the handlers read the tenant from here). */
export interface OpsgenieState {
  model: OpsgenieModel;
  defaultPage: number;
  maxPage: number;
}

const ok = (data: Json, extra: Record<string, Json> = {}): RouteResult => ({ status: 200, body: { data, ...extra, took: 0.011, requestId: uuidFrom('og-ok', JSON.stringify(extra)) } });
const fail = (status: number, message: string): RouteResult => ({ status, body: opsgenieErrorBody(message) });

// user-api "List User": offset/limit paging with `paging.{first,last,next}` links and `totalCount`; sort and order.
function listUsers(state: OpsgenieState, ctx: RouteContext): RouteResult {
  const { model, defaultPage, maxPage } = state;
  const q = ctx.query;
  const limitRaw = q.get('limit');
  const offsetRaw = q.get('offset');
  const limit = limitRaw === null ? defaultPage : Number(limitRaw);
  const off = offsetRaw === null ? 0 : Number(offsetRaw);
  // pagination page: limit "Must be a positive integer value"; 422 is Opsgenie's validation status (unverified wording).
  if (!Number.isInteger(limit) || limit < 1) return fail(422, 'limit must be a positive integer');
  if (!Number.isInteger(off) || off < 0) return fail(422, 'offset must be a non-negative integer');
  const sort = q.get('sort') ?? 'username';
  const order = q.get('order') ?? 'asc';
  const key = (u: OpsgenieUserRecord): string | number => (sort === 'fullName' ? u.fullName : sort === 'insertedAt' ? u.createdAt : u.username.toLowerCase());
  const sorted = [...model.users].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : 1;
    return order === 'desc' ? -c : c;
  });
  const size = Math.min(limit, maxPage);
  const { items } = ctx.page(sorted.slice(off, off + size));
  const link = (o: number): string => `${ctx.baseUrl}/v2/users?limit=${size}&sort=${sort}&offset=${o}&order=${order}`;
  const lastOffset = Math.max(0, Math.floor((sorted.length - 1) / size) * size);
  const paging: Record<string, Json> = { first: link(0), last: link(lastOffset) };
  if (off + items.length < sorted.length) paging.next = link(off + items.length);
  return ok(items.map(userJson), { paging, totalCount: sorted.length });
}

// team-api "List Teams": every team, unpaged.
function listTeams(state: OpsgenieState): RouteResult {
  return ok(state.model.teams.map((t) => ({ id: t.id, name: t.name, ...(t.description ? { description: t.description } : {}) })));
}

// team-api "Get Team": by id or, with `identifierType=name`, by name; members with their team role.
function getTeam(state: OpsgenieState, ctx: RouteContext): RouteResult {
  const { model } = state;
  const by = ctx.query.get('identifierType') ?? 'id';
  const ident = ctx.params.identifier ?? '';
  const t = model.teams.find((x) => (by === 'name' ? x.name === ident : x.id === ident));
  if (!t || t.vanishing) return fail(404, `No team exists with ${by === 'name' ? 'name' : 'id'} [${ident}]`);
  const members = t.members.map((m) => {
    const u = model.users[m.user];
    return { user: { id: u?.id ?? '', username: u?.username ?? '' }, role: m.role };
  });
  // A team without members has no `members` field (unverified).
  return ok({ id: t.id, name: t.name, ...(t.description ? { description: t.description } : {}), ...(members.length ? { members } : {}), links: { web: `https://app.opsgenie.com/teams/dashboard/${t.id}/main`, api: `${ctx.baseUrl}/v2/teams/${t.id}` } });
}

// custom-user-role-api "List Custom User Roles".
function listCustomRoles(state: OpsgenieState): RouteResult {
  return ok(state.model.customRoles.map(customRoleJson));
}

// schedule-api "List Schedules": without `expand=rotation` the rotations are left out.
function listSchedules(state: OpsgenieState, ctx: RouteContext): RouteResult {
  const { model } = state;
  const expand = (ctx.query.get('expand') ?? '').split(',').includes('rotation');
  return ok(
    model.schedules.map((s) => scheduleJson(s, ownerTeamJson(model, s.ownerTeam), expand, (p) => participantJson(model, p))),
    { expandable: ['rotation'] },
  );
}

// escalation-api "List Escalations".
function listEscalations(state: OpsgenieState): RouteResult {
  const { model } = state;
  return ok(
    model.escalations.map((e) => ({
      id: e.id,
      name: e.name,
      ...(e.description ? { description: e.description } : {}),
      ...ownerTeamJson(model, e.ownerTeam),
      rules: e.rules.map((r) => ({ condition: r.condition, notifyType: r.notifyType, delay: r.delay, recipient: participantJson(model, r.recipient) })),
    })),
  );
}

/** The route table (Opsgenie's REST v2 pages named in the file header). */
export const OPSGENIE_ROUTES: RouteTable<OpsgenieState> = [
  { method: 'GET', path: '/v2/users', paged: true, denyLimited: DENY_TEAM_KEY, handle: listUsers },
  { method: 'GET', path: '/v2/teams', handle: listTeams },
  { method: 'GET', path: '/v2/teams/{identifier}', handle: getTeam },
  { method: 'GET', path: '/v2/roles', denyLimited: DENY_TEAM_KEY, handle: listCustomRoles },
  { method: 'GET', path: '/v2/schedules', handle: listSchedules },
  { method: 'GET', path: '/v2/escalations', handle: listEscalations },
];

export function opsgenieTenant(opts: OpsgenieTenantOptions = {}): OpsgenieSim {
  const model = generateModel(opts);
  const state: OpsgenieState = { model, defaultPage: clampInt(opts.defaultPageSize, 20, 1), maxPage: clampInt(opts.maxPageSize, 100, 1) };
  const { maxPage } = state;

  function groundTruth(): Record<string, Record<string, unknown>[]> {
    const minutes = { minutes: 1, hours: 60, days: 1440 } as const;
    const users: RowInput<typeof opsgenieUsers>[] = model.users.map((u) => ({
      user_id: u.id,
      username: u.username,
      full_name: u.fullName,
      role_id: u.role.id,
      role_name: u.role.name,
      blocked: u.blocked,
      verified: u.verified,
      time_zone: u.timeZone,
      locale: u.locale,
      created_at: new Date(u.createdAt).toISOString(),
    }));
    const teams: RowInput<typeof opsgenieTeams>[] = model.teams.map((t) => ({ team_id: t.id, name: t.name, description: t.description }));
    const members: RowInput<typeof opsgenieTeamMembers>[] = model.teams
      .filter((t) => !t.vanishing)
      .flatMap((t) => t.members.map((m) => ({ team_id: t.id, team_name: t.name, user_id: model.users[m.user]?.id ?? '', username: model.users[m.user]?.username ?? null, role: m.role })));
    const roles: RowInput<typeof opsgenieCustomRoles>[] = model.customRoles.map((r) => ({
      role_id: r.id,
      name: r.name,
      extended_role: r.extendedRole,
      granted_rights: r.grantedRights,
      disallowed_rights: r.disallowedRights,
    }));
    const owner = (t: number | null) => {
      const team = t === null ? undefined : model.teams[t];
      return { owner_team_id: team?.id ?? null, owner_team_name: team?.name ?? null };
    };
    const schedules: RowInput<typeof opsgenieSchedules>[] = model.schedules.map((s) => ({
      schedule_id: s.id,
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      timezone: s.timezone,
      ...owner(s.ownerTeam),
    }));
    const participants: RowInput<typeof opsgenieScheduleParticipants>[] = model.schedules.flatMap((s) =>
      s.rotations.flatMap((r) =>
        r.participants.map((p, position) => {
          const c = participantRow(model, p);
          return { schedule_id: s.id, rotation_id: r.id, rotation_name: r.name, rotation_type: r.type, position, participant_type: c.type, participant_id: c.id, participant_name: c.name };
        }),
      ),
    );
    const escalations: RowInput<typeof opsgenieEscalations>[] = model.escalations.map((e) => ({ escalation_id: e.id, name: e.name, description: e.description, ...owner(e.ownerTeam) }));
    const recipients: RowInput<typeof opsgenieEscalationRecipients>[] = model.escalations.flatMap((e) =>
      e.rules.map((r, i) => {
        const c = participantRow(model, r.recipient);
        return {
          escalation_id: e.id,
          rule_index: i,
          condition: r.condition,
          notify_type: r.notifyType,
          delay_minutes: r.delay.timeAmount * minutes[r.delay.timeUnit],
          recipient_type: c.type,
          recipient_id: c.id,
          recipient_name: c.name,
        };
      }),
    );
    return {
      opsgenie_users: users,
      opsgenie_teams: teams,
      opsgenie_team_members: members,
      opsgenie_custom_roles: roles,
      opsgenie_schedules: schedules,
      opsgenie_schedule_participants: participants,
      opsgenie_escalations: escalations,
      opsgenie_escalation_recipients: recipients,
    };
  }

  return {
    name: 'opsgenie',
    routes: bindRoutes(OPSGENIE_ROUTES, state),
    // GenieKey only (https://docs.opsgenie.com/docs/authentication); no Basic, no Bearer.
    auth: { basic: false, bearer: false, genieKey: true },
    // 401 wording from Opsgenie's samples is unverified; 429 body likewise.
    errorBody: (status, message) => opsgenieErrorBody(status === 401 ? 'Could not authenticate' : status === 429 ? 'Request rate limit exceeded' : message),
    model,
    groundTruth,
    minimumRequests: () => Math.max(1, Math.ceil(model.users.length / Math.min(100, maxPage))) + 1 + model.teams.length + 3,
  };
}
