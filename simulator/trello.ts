/**
 * Simulated Trello: a seeded model (members, workspaces with memberships, boards with memberships, an
 * enterprise with admins), the REST v1 routes that serve it, the ground truth a perfect collector must
 * produce, and the minimum number of requests it needs.
 *
 * Authority: Trello's published REST docs (no OpenAPI file in ../shared/atlassian-openapi):
 * https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/ and the API groups members,
 * organizations, boards and enterprises under https://developer.atlassian.com/cloud/trello/rest/. What is
 * marked "unverified" is not in those pages.
 *
 * Auth: key + token in `Authorization: OAuth oauth_consumer_key="…", oauth_token="…"` (server option
 * `auth: { trello: true }`). The limited token belongs to a workspace member who is on no board: Trello
 * answers 401 "unauthorized permission requested" for boards and enterprises it may not read.
 *
 * Error bodies: Trello answers errors in plain text ("invalid token", "unauthorized permission requested");
 * the generic server writes JSON, so the text comes as a JSON string.
 */
import { bindRoutes, type BudgetRule, type ProductBudget, type ProductSim, type Principal, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import { hash32, hex8, Rng, unit } from './random.ts';
import type { trelloBoardMembers, trelloBoards, trelloEnterpriseAdmins, trelloWorkspaceMembers, trelloWorkspaces } from '../functions/trello.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { clampInt } from './params.ts';

export interface TrelloTenantOptions {
  seed?: number;
  /** Trello members (people), default 120. Member 0 owns the collector's token, member 1 the limited token. */
  members?: number;
  /** Workspaces, default 3. With 3 or more, the last has no board. */
  workspaces?: number;
  /** Boards per (non-empty) workspace, default 6. */
  boards?: number;
  /** Boards of workspace 0 that are listed but answer 404 on their memberships (deleted meanwhile). Default 0. */
  vanishingBoards?: number;
  /** The collector's member administers the enterprise (so it may read its admins). Default true. */
  enterpriseAdmin?: boolean;
  /** Budget enforced when the simulator runs with `budgets`; default Trello's published one ({@link TRELLO_RATE_LIMITS}). */
  rateLimits?: TrelloRateLimits;
}

/**
 * Trello's published budget (https://developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/): "300
 * requests per 10 seconds for each API key and 100 requests per 10 second interval for each token"; every
 * answer tells both in `x-rate-limit-api-token-{interval-ms,max,remaining}` and the `-key-` twins (as Atlassian's
 * developer community answer on Trello's rate limits shows); the 429 names the limit in its body
 * (`API_TOKEN_LIMIT_EXCEEDED` / `API_KEY_LIMIT_EXCEEDED`) and carries no `Retry-After`. Not modelled: the
 * `/1/members/` route limit (100 per 900 s), which the collector's one `members/me` request never nears.
 */
export interface TrelloRateLimits {
  tokenMax: number;
  keyMax: number;
  intervalMs: number;
}
export const TRELLO_RATE_LIMITS: Readonly<TrelloRateLimits> = { tokenMax: 100, keyMax: 300, intervalMs: 10_000 };

export interface TrelloMemberRecord {
  id: string;
  username: string;
  fullName: string;
}

export interface TrelloMembershipRecord {
  id: string;
  member: number;
  memberType: 'admin' | 'normal' | 'observer';
  deactivated: boolean;
  unconfirmed: boolean;
}

export interface TrelloBoardRecord {
  id: string;
  name: string;
  closed: boolean;
  permissionLevel: 'private' | 'org' | 'public' | 'enterprise';
  memberships: TrelloMembershipRecord[];
  vanishing: boolean;
}

export interface TrelloWorkspaceRecord {
  id: string;
  name: string;
  displayName: string;
  permissionLevel: 'private' | 'public';
  restrictPrivate: 'admin' | 'org' | 'none';
  enterprise: string | null;
  memberships: TrelloMembershipRecord[];
  boards: TrelloBoardRecord[];
}

export interface TrelloModel {
  seed: number;
  members: TrelloMemberRecord[];
  workspaces: TrelloWorkspaceRecord[];
  enterprise: { id: string; admins: number[] };
  enterpriseAdmin: boolean;
}

export interface TrelloSim extends ProductSim {
  model: TrelloModel;
  /** Table name -> rows, without `site`, `collected_at` and `deployment`. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs. */
  minimumRequests(): number;
}

const FIRST = ['Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena'];
const LAST = ['Anders', 'Becker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Müller'];
const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'José Núñez 🚀', "Seán O'Brien-Smith"];
const WS = [
  ['acmeengineering', 'Acme Engineering'],
  ['acmemarketing', 'Acme Marketing — Ünïcode 🚀'],
  ['acmesandbox', 'Acme Sandbox'],
] as const;
const BOARD_NAMES = ['Roadmap', 'Sprint', 'Incidents', 'Données clients', 'ロードマップ', 'Hiring', 'Launch 🚀', 'Ops'];

// Trello object ids: 24 hex digits.
function oid(...parts: (string | number)[]): string {
  return `${hex8(hash32('trello', ...parts))}${hex8(hash32('trello-b', ...parts))}${hex8(hash32('trello-c', ...parts))}`;
}


function generateModel(opts: TrelloTenantOptions): TrelloModel {
  const seed = clampInt(opts.seed, 1, -Infinity);
  const nMembers = clampInt(opts.members, 120, 2);
  const nWs = clampInt(opts.workspaces, 3, 0);
  const nBoards = clampInt(opts.boards, 6, 0);
  const vanishing = clampInt(opts.vanishingBoards, 0, 0);
  const members: TrelloMemberRecord[] = Array.from({ length: nMembers }, (_, i) => {
    const fullName =
      i === 0
        ? 'Access Collector'
        : i === 1
          ? 'Vera Viewer'
          : i % 9 === 4
            ? (UNICODE_NAMES[Math.floor(i / 9) % UNICODE_NAMES.length] ?? 'Zoë Ångström')
            : `${FIRST[hash32(seed, 'tr-first', i) % FIRST.length] ?? 'Alex'} ${LAST[hash32(seed, 'tr-last', i) % LAST.length] ?? 'Doe'}`;
    return { id: oid(seed, 'member', i), username: i === 0 ? 'accesscollector' : `${fullName.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 10) || 'user'}${i}`, fullName };
  });
  const enterprise = { id: oid(seed, 'enterprise'), admins: [0, ...Array.from(new Rng(hash32(seed, 'tr-ent')).sample(nMembers - 2, Math.min(2, nMembers - 2)), (i) => i + 2)] };

  const workspaces: TrelloWorkspaceRecord[] = [];
  for (let w = 0; w < nWs; w++) {
    const r = new Rng(hash32(seed, 'tr-ws', w));
    const empty = nWs >= 3 && w === nWs - 1;
    const share = w === 0 ? 0.7 : 0.25;
    const others: number[] = [];
    for (let m = 2; m < nMembers; m++) if (unit(seed, 'tr-wsm', w, m) < share) others.push(m);
    const memberships: TrelloMembershipRecord[] = [0, 1, ...others].map((m) => ({
      id: oid(seed, 'ws-membership', w, m),
      member: m,
      memberType: m === 0 || (m > 1 && unit(seed, 'tr-wsadmin', w, m) < 0.08) ? 'admin' : 'normal',
      deactivated: m > 1 && m % 11 === 3,
      unconfirmed: m > 1 && m % 17 === 9,
    }));
    const wsMembers = memberships.map((x) => x.member);
    const boards: TrelloBoardRecord[] = [];
    if (!empty) {
      for (let b = 0; b < nBoards; b++) {
        const br = new Rng(hash32(seed, 'tr-board', w, b));
        // Board members: mostly workspace members, plus a guest from outside the workspace now and then.
        const size = b === 1 ? Math.min(wsMembers.length, 60) : 1 + br.int(Math.min(8, wsMembers.length));
        const picked = Array.from(br.sample(wsMembers.length, size), (i) => wsMembers[i] ?? 0);
        const guest = 2 + br.int(nMembers - 2);
        if (br.chance(0.4) && !picked.includes(guest)) picked.push(guest);
        boards.push({
          id: oid(seed, 'board', w, b),
          name: BOARD_NAMES[b % BOARD_NAMES.length] ?? `Board ${b}`,
          closed: b % 5 === 4,
          permissionLevel: br.pick(['private', 'private', 'org', 'public', ...(w < 2 ? (['enterprise'] as const) : [])]),
          memberships: picked.map((m, k) => ({
            id: oid(seed, 'board-membership', w, b, m),
            member: m,
            memberType: k === 0 ? 'admin' : br.pick(['normal', 'normal', 'observer', 'admin'] as const),
            deactivated: m % 13 === 5,
            unconfirmed: m % 19 === 7,
          })),
          vanishing: w === 0 && b >= nBoards - vanishing,
        });
      }
    }
    workspaces.push({
      id: oid(seed, 'ws', w),
      name: WS[w]?.[0] ?? `acmeteam${w}`,
      displayName: WS[w]?.[1] ?? `Acme Team ${w}`,
      permissionLevel: w === 1 ? 'public' : 'private',
      restrictPrivate: r.pick(['admin', 'org', 'none'] as const),
      enterprise: w < 2 ? enterprise.id : null,
      memberships,
      boards,
    });
  }
  return { seed, members, workspaces, enterprise, enterpriseAdmin: opts.enterpriseAdmin ?? true };
}

const memberIndexOf = (p: Principal): number => (p === 'limited' ? 1 : 0);

/** `oauth_consumer_key` / `oauth_token` of Trello's `Authorization: OAuth …` header. */
function oauthField(headers: Readonly<Record<string, string | string[] | undefined>>, field: 'oauth_consumer_key' | 'oauth_token'): string | null {
  const raw = headers.authorization;
  const h = Array.isArray(raw) ? raw[0] : raw;
  const m = new RegExp(`${field}="([^"]*)"`).exec(h ?? '');
  return m?.[1] ? String(hash32('trello-caller', m[1])) : null;
}

/** Trello's token and key windows as a simulator budget (see {@link TrelloRateLimits}). */
export function trelloBudget(limits: TrelloRateLimits = TRELLO_RATE_LIMITS): ProductBudget {
  const rule = (name: 'token' | 'key', limit: number, field: 'oauth_token' | 'oauth_consumer_key'): BudgetRule => ({
    name,
    kind: 'fixed',
    limit,
    windowMs: limits.intervalMs,
    callerOf: ({ headers }) => oauthField(headers, field),
    headers: (b) => ({
      [`x-rate-limit-api-${name}-interval-ms`]: String(Math.round(b.windowMs)),
      [`x-rate-limit-api-${name}-max`]: String(b.limit),
      [`x-rate-limit-api-${name}-remaining`]: String(Math.max(0, b.remaining)),
    }),
  });
  return {
    rules: [rule('token', limits.tokenMax, 'oauth_token'), rule('key', limits.keyMax, 'oauth_consumer_key')],
    tooMany: (r) => ({ body: { error: r.name === 'key' ? 'API_KEY_LIMIT_EXCEEDED' : 'API_TOKEN_LIMIT_EXCEEDED', message: 'Rate limit exceeded' }, headers: {} }),
  };
}

const ok = (body: unknown): RouteResult => ({ status: 200, body });
const fail = (status: number, message: string): RouteResult => ({ status, body: message });
const NOT_FOUND = 'The requested resource was not found.';

function memberJson(model: TrelloModel, m: number) {
  const x = model.members[m];
  return { id: x?.id ?? '', username: x?.username ?? '', fullName: x?.fullName ?? '' };
}

function membershipsJson(model: TrelloModel, list: readonly TrelloMembershipRecord[], q: URLSearchParams) {
  // Organization memberships: `filter` "all or a comma-separated list of: active, admin, deactivated, me,
  // normal"; board memberships: "One of admins, all, none, normal". The default when absent is unverified:
  // here `active`, so a collector that wants deactivated members must ask for `all`.
  const filter = (q.get('filter') ?? 'active').split(',');
  const keep = (x: TrelloMembershipRecord): boolean =>
    filter.includes('all') ||
    (filter.includes('active') && !x.deactivated && !x.unconfirmed) ||
    (filter.includes('deactivated') && x.deactivated) ||
    ((filter.includes('admin') || filter.includes('admins')) && x.memberType === 'admin') ||
    (filter.includes('normal') && x.memberType === 'normal');
  const withMember = q.get('member') === 'true';
  return list.filter(keep).map((x) => ({
    id: x.id,
    idMember: model.members[x.member]?.id ?? '',
    memberType: x.memberType,
    unconfirmed: x.unconfirmed,
    deactivated: x.deactivated,
    ...(withMember ? { member: memberJson(model, x.member) } : {}),
  }));
}

function findWs(model: TrelloModel, id: string) {
  return model.workspaces.find((w) => w.id === id || w.name === id);
}

// Handlers: each reads the tenant's model from its first argument.

function membersMe(model: TrelloModel, ctx: RouteContext): RouteResult {
  const me = memberIndexOf(ctx.principal);
  // `idEnterprisesAdmin` (unverified field name of the Member object): enterprises this member administers.
  return ok({ ...memberJson(model, me), idEnterprisesAdmin: me === 0 && model.enterpriseAdmin ? [model.enterprise.id] : [] });
}

function membersMeOrganizations(model: TrelloModel, ctx: RouteContext): RouteResult {
  const me = memberIndexOf(ctx.principal);
  return ok(
    model.workspaces
      .filter((w) => w.memberships.some((m) => m.member === me))
      .map((w) => ({
        id: w.id,
        name: w.name,
        displayName: w.displayName,
        prefs: { permissionLevel: w.permissionLevel, boardVisibilityRestrict: { private: w.restrictPrivate, org: 'org', public: 'admin' } },
        idEnterprise: w.enterprise,
      })),
  );
}

function organizationMemberships(model: TrelloModel, ctx: RouteContext): RouteResult {
  const w = findWs(model, ctx.params.id ?? '');
  return w ? ok(membershipsJson(model, w.memberships, ctx.query)) : fail(404, NOT_FOUND);
}

function organizationBoards(model: TrelloModel, ctx: RouteContext): RouteResult {
  const w = findWs(model, ctx.params.id ?? '');
  if (!w) return fail(404, NOT_FOUND);
  // `filter`: all (default) | open | closed | members | organization | public.
  const filter = ctx.query.get('filter') ?? 'all';
  const boards = w.boards.filter((b) => filter === 'all' || (filter === 'open' && !b.closed) || (filter === 'closed' && b.closed));
  return ok(boards.map((b) => ({ id: b.id, name: b.name, closed: b.closed, idOrganization: w.id, prefs: { permissionLevel: b.permissionLevel, voting: 'disabled' } })));
}

function boardMemberships(model: TrelloModel, ctx: RouteContext): RouteResult {
  const b = model.workspaces.flatMap((w) => w.boards).find((x) => x.id === ctx.params.id);
  return b && !b.vanishing ? ok(membershipsJson(model, b.memberships, ctx.query)) : fail(404, NOT_FOUND);
}

function enterpriseAdmins(model: TrelloModel, ctx: RouteContext): RouteResult {
  if (ctx.params.id !== model.enterprise.id) return fail(404, NOT_FOUND);
  if (!model.enterpriseAdmin) return fail(401, 'unauthorized permission requested');
  return ok(model.enterprise.admins.map((m) => memberJson(model, m)));
}

/** The route table (Trello REST API groups members, organizations, boards and enterprises; see the file header). */
export const TRELLO_ROUTES: RouteTable<TrelloModel> = [
  // The Trello REST API, GET /1/members/{id} with `me`: the token's member.
  { method: 'GET', path: '/1/members/me', handle: membersMe },
  // GET /1/members/{id}/organizations: the member's Workspaces.
  { method: 'GET', path: '/1/members/me/organizations', handle: membersMeOrganizations },
  // GET /1/organizations/{id}/memberships: `filter`, `member` (see membershipsJson).
  { method: 'GET', path: '/1/organizations/{id}/memberships', handle: organizationMemberships },
  // GET /1/organizations/{id}/boards: `filter` all | open | closed.
  { method: 'GET', path: '/1/organizations/{id}/boards', handle: organizationBoards },
  // GET /1/boards/{id}/memberships: 401 "unauthorized permission requested" to a member not on the board.
  { method: 'GET', path: '/1/boards/{id}/memberships', denyLimited: { status: 401, message: 'unauthorized permission requested' }, handle: boardMemberships },
  // GET /1/enterprises/{id}/admins: enterprise admins only.
  { method: 'GET', path: '/1/enterprises/{id}/admins', denyLimited: { status: 401, message: 'unauthorized permission requested' }, handle: enterpriseAdmins },
];

export function trelloTenant(opts: TrelloTenantOptions = {}): TrelloSim {
  const model = generateModel(opts);

  function groundTruth(): Record<string, Record<string, unknown>[]> {
    const person = (m: number) => ({ member_id: model.members[m]?.id ?? '', username: model.members[m]?.username ?? null, full_name: model.members[m]?.fullName ?? null });
    const workspaces: RowInput<typeof trelloWorkspaces>[] = model.workspaces.map((w) => ({
      organization_id: w.id,
      name: w.name,
      display_name: w.displayName,
      permission_level: w.permissionLevel,
      board_visibility_restrict_private: w.restrictPrivate,
      enterprise_id: w.enterprise,
    }));
    const wsMembers: RowInput<typeof trelloWorkspaceMembers>[] = model.workspaces.flatMap((w) =>
      w.memberships.map((m) => ({ organization_id: w.id, ...person(m.member), member_type: m.memberType, deactivated: m.deactivated, unconfirmed: m.unconfirmed })),
    );
    const boards: RowInput<typeof trelloBoards>[] = model.workspaces.flatMap((w) =>
      w.boards.map((b) => ({ board_id: b.id, organization_id: w.id, name: b.name, permission_level: b.permissionLevel, closed: b.closed })),
    );
    const boardMembers: RowInput<typeof trelloBoardMembers>[] = model.workspaces.flatMap((w) =>
      w.boards
        .filter((b) => !b.vanishing)
        .flatMap((b) => b.memberships.map((m) => ({ board_id: b.id, organization_id: w.id, ...person(m.member), member_type: m.memberType, deactivated: m.deactivated, unconfirmed: m.unconfirmed }))),
    );
    const admins: RowInput<typeof trelloEnterpriseAdmins>[] = model.enterpriseAdmin ? model.enterprise.admins.map((m) => ({ enterprise_id: model.enterprise.id, ...person(m) })) : [];
    return { trello_workspaces: workspaces, trello_workspace_members: wsMembers, trello_boards: boards, trello_board_members: boardMembers, trello_enterprise_admins: admins };
  }

  return {
    name: 'trello',
    routes: bindRoutes(TRELLO_ROUTES, model),
    budget: trelloBudget(opts.rateLimits),
    auth: { basic: false, bearer: false, trello: true },
    // The server's own 401 (no or wrong key/token) in Trello's words; route messages pass through.
    errorBody: (status, message) => (status === 401 && message.startsWith('You are not authenticated') ? 'invalid token' : status === 429 ? 'API_TOKEN_LIMIT_EXCEEDED' : message),
    model,
    groundTruth,
    minimumRequests: () => {
      const boards = model.workspaces.reduce((a, w) => a + w.boards.length, 0);
      // me/organizations + per workspace (memberships + boards) + per board memberships + me + enterprise admins.
      return 1 + 2 * model.workspaces.length + boards + 1 + (model.enterpriseAdmin ? 1 : 0);
    },
  };
}
