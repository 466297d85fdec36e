/**
 * Simulated Bitbucket Cloud tenant: a seeded model (Atlassian accounts, workspaces with members and
 * groups, projects, repositories, explicit user and group grants, branch restrictions), the REST 2.0
 * routes that serve it, an OAuth consumer token endpoint, the ground truth a perfect collector must
 * produce, and the minimum number of requests such a collector needs.
 *
 * Authority: Atlassian's published Bitbucket Cloud REST API 2.0 OpenAPI spec (bitbucket-2.0.json) (pointers below are relative to
 * `bitbucket-2.0.json#/paths/`) and the facts sheet README (§2 auth, §3 style B, §6 endpoints, §9 rate
 * limits, §10 Q8).
 *
 * Auth: the generic server checks Basic API tokens and Bearer tokens on the same host (`auth: {basic,
 * bearer}`); Bearer tokens the token endpoint issues go through the server's per-instance `AccessTokens`.
 * On top, routes here refuse tokens that lack the operation's OAuth scope and workspace access tokens on
 * permission endpoints.
 */
import { createHash } from 'node:crypto';
import type { AccessTokens, ProductBudget, ProductSim, Route, RouteContext, RouteResult } from './server.ts';
import { hash32, hex8, Rng, unit, uuidFrom } from './random.ts';
import type {
  bitbucketBranchRestrictions,
  bitbucketDeployKeys,
  bitbucketPipelineVariables,
  bitbucketWebhooks,
  bitbucketProjectPermissions,
  bitbucketProjects,
  bitbucketRepositories,
  bitbucketRepositoryPermissions,
  bitbucketWorkspaceMembers,
  bitbucketWorkspaces,
} from '../functions/bitbucket.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import type { People } from './people.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST } from './names.ts';
import { environmentRequests, environmentRoutes, environmentVariableRows } from './bitbucket-environments.ts';

// ---------------------------------------------------------------------------------------------
// Options

/** An OAuth consumer (client id + secret) and the classic scopes its tokens get. */
export interface BitbucketOAuthConsumer {
  key: string;
  secret: string;
  scopes: string[];
}

/** Every classic scope the collector needs (each operation's `security.oauth2`). */
export const BITBUCKET_COLLECTOR_SCOPES: readonly string[] = ['account', 'project', 'project:admin', 'repository', 'repository:admin', 'webhook', 'pipeline'];

export const DEFAULT_BITBUCKET_CONSUMER: Readonly<BitbucketOAuthConsumer> = {
  key: 'sim-oauth-client-id',
  secret: 'sim-oauth-client-secret',
  scopes: [...BITBUCKET_COLLECTOR_SCOPES],
};

/**
 * Facts sheet §9: `/2.0/repositories/*` allows 1,000 requests per rolling hour per user, access token or
 * OAuth consumer. 429 body "Rate limit for this resource has been exceeded"; whether a `Retry-After`
 * comes with it is unverified, so it is off unless `retryAfterSeconds` is set.
 */
export interface BitbucketRepositoryRateLimit {
  /** Requests per window. Bitbucket: 1000. */
  limit: number;
  /** Rolling window. Bitbucket: 3,600,000 (one hour). */
  windowMs: number;
  /** Send `Retry-After` with this many seconds (unverified in Bitbucket). Default: no header. */
  retryAfterSeconds?: number;
}

export const BITBUCKET_REPOSITORY_HOURLY_LIMIT: Readonly<BitbucketRepositoryRateLimit> = { limit: 1000, windowMs: 3_600_000 };

export interface BitbucketTenantOptions {
  seed?: number;
  /** Workspaces, default 3. With 3 or more, the last one is a fresh workspace: no project, no repository. */
  workspaces?: number;
  /** Atlassian accounts that can be members, default 150. User 0 is the collector, user 1 the viewer. */
  users?: number;
  /** Projects per (non-empty) workspace, default 4. */
  projects?: number;
  /** Repositories per (non-empty) workspace, default 24. */
  repositories?: number;
  /** Repositories listed by `/repositories/{workspace}` whose child endpoints answer 404 (deleted meanwhile). */
  vanishingRepositories?: number;
  /** Projects listed by `/workspaces/{workspace}/projects` whose permission endpoints answer 404. */
  vanishingProjects?: number;
  /** Account ids of users 0..n-1 (null: none), to share people with another simulated product. */
  accountIds?: readonly (string | null)[];
  /**
   * A population shared with other simulated products: users from index 2 on that are not deleted take the
   * active people's account ids and names, in order, until they run out (the simulated workspaces list active
   * accounts only). Inactive people are skipped. Absent: every user is this tenant's own.
   */
  people?: People;
  /** Hourly budget of `/2.0/repositories/*`; default off (tests that need it set a short window). */
  repositoryRateLimit?: BitbucketRepositoryRateLimit | false;
  /**
   * Requests per rolling hour per credential over every route, enforced when the simulator runs with
   * `budgets` (facts sheet §9: 1,000/h; scaled workspaces up to 10,000/h). @default 1000
   */
  hourlyLimit?: number;
  /** OAuth consumers accepted by `POST /site/oauth2/access_token`, default one with every collector scope. */
  oauthConsumers?: BitbucketOAuthConsumer[];
  /**
   * How long an issued access token really works (ms); `expires_in` still says 3600 (narrative "Refresh
   * tokens": "Our access tokens expire in one hour"). @default 3600000
   */
  accessTtlMs?: number;
  /** Requests an access token works for (then 401): a deterministic mid-run expiry for tests. @default unlimited */
  accessUses?: number;
  /** Lists that page iterator-style (opaque `next`, no `size`/`page`); default ['branch-restrictions']. */
  iteratorLists?: readonly BitbucketList[];
}

/** The simulated lists, for `iteratorLists`. */
export type BitbucketList =
  | 'user-workspaces'
  | 'members'
  | 'permissions'
  | 'projects'
  | 'project-users'
  | 'project-groups'
  | 'repositories'
  | 'repository-users'
  | 'repository-groups'
  | 'branch-restrictions'
  | 'deploy-keys'
  | 'hooks'
  | 'variables'
  | 'environments';

// ---------------------------------------------------------------------------------------------
// Model

export type BitbucketWorkspaceRole = 'owner' | 'collaborator' | 'member';
export type BitbucketRepoPermission = 'read' | 'write' | 'admin' | 'none';
export type BitbucketProjectPermission = 'read' | 'write' | 'create-repo' | 'admin' | 'none';

export interface BitbucketUserRecord {
  index: number;
  /** With curly braces. */
  uuid: string;
  /** null for deleted accounts: the field is then absent. */
  accountId: string | null;
  displayName: string;
  /** Absent when null. */
  nickname: string | null;
  /** Absent when null (deleted accounts). */
  accountStatus: 'active' | null;
}

export interface BitbucketMemberRecord {
  user: number;
  permission: BitbucketWorkspaceRole;
  /** Epoch ms; null = field absent. */
  addedOn: number | null;
  lastAccessed: number | null;
}

export interface BitbucketGroupRecord {
  slug: string;
  name: string;
}

export interface BitbucketUserGrant<P> {
  user: number;
  permission: P;
}
export interface BitbucketGroupGrant<P> {
  group: number;
  permission: P;
}

export interface BitbucketProjectRecord {
  uuid: string;
  key: string;
  name: string;
  isPrivate: boolean;
  /** Omitted from the JSON when undefined. */
  hasPubliclyVisibleRepos: boolean;
  vanishing: boolean;
  users: BitbucketUserGrant<BitbucketProjectPermission>[];
  groups: BitbucketGroupGrant<BitbucketProjectPermission>[];
}

export interface BitbucketRestrictionRecord {
  id: number;
  kind: string;
  branchMatchKind: 'glob' | 'branching_model';
  /** '' for branching_model. */
  pattern: string;
  branchType: string | null;
  /** undefined = field absent, null = present as null. */
  value: number | null | undefined;
  users: number[];
  groups: number[];
}

export interface BitbucketRepositoryRecord {
  uuid: string;
  slug: string;
  name: string;
  fullName: string;
  isPrivate: boolean;
  /** Index into the workspace's projects. */
  project: number;
  forkPolicy: 'allow_forks' | 'no_public_forks' | 'no_forks';
  mainbranch: string | null;
  /** Full name of the repository this one was forked from. */
  parent: string | null;
  vanishing: boolean;
  users: BitbucketUserGrant<BitbucketRepoPermission>[];
  groups: BitbucketGroupGrant<BitbucketRepoPermission>[];
  restrictions: BitbucketRestrictionRecord[];
}

export interface BitbucketWorkspaceRecord {
  index: number;
  uuid: string;
  slug: string;
  name: string;
  isPrivate: boolean;
  isPrivacyEnforced: boolean;
  forkingMode: 'allow_forks' | 'internal_only';
  createdOn: number;
  /** Administration moved to admin.atlassian.com: memberships lack `added_on` and `last_accessed`. */
  adminHub: boolean;
  members: BitbucketMemberRecord[];
  groups: BitbucketGroupRecord[];
  projects: BitbucketProjectRecord[];
  repositories: BitbucketRepositoryRecord[];
}

export interface BitbucketModel {
  seed: number;
  users: BitbucketUserRecord[];
  workspaces: BitbucketWorkspaceRecord[];
}

/** Which workspaces a collection covers: every one (discovery through `/user/workspaces`) or the listed slugs. */
export interface BitbucketScope {
  workspaces?: readonly string[];
}

export interface BitbucketSim extends ProductSim {
  model: BitbucketModel;
  /** Table name -> rows, without `site` and `collected_at`. */
  groundTruth(scope?: BitbucketScope): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at pagelen=100. */
  minimumRequests(scope?: BitbucketScope): number;
  /** Path of the OAuth token endpoint on the simulator (bitbucket.org's `/site/oauth2/access_token`). */
  readonly tokenPath: string;
  /** Access tokens issued by the token endpoint so far (client credentials and refreshes). */
  issuedTokens(): number;
  /** Forget the requests counted against the repository budget (the window has passed). */
  resetRateLimit(): void;
  /**
   * A workspace access token (Bearer) minted in the running simulator's token store: it reads
   * everything except permissions, which access tokens never can (narrative "Access tokens").
   */
  workspaceAccessToken(tokens: AccessTokens): string;
}

// ---------------------------------------------------------------------------------------------
// Generation

const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김민준', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash'];
const WORKSPACE_SLUGS = ['acme', 'acme-platform', 'acme-sandbox'];
const WORKSPACE_NAMES = ['Acme Corp', 'Acme Plattform — Ünïcode 🚀', 'Acme Sandbox'];
const GROUP_DEFS: readonly BitbucketGroupRecord[] = [
  { slug: 'administrators', name: 'Administrators' },
  { slug: 'developers', name: 'Developers' },
  { slug: 'contractors', name: 'Contractors' },
  { slug: 'equipe-donnees', name: 'Équipe Données' },
  { slug: 'dev-team-jp', name: '開発チーム' },
  { slug: 'release-managers', name: 'Release managers' },
  { slug: 'on-call', name: 'on-call 🚨' },
  { slug: 'readers', name: 'Readers' },
];
const PROJECT_NAMES = ['Platform', 'Web', 'Mobile', 'Data', 'Infrastructure', 'Payments', 'Données Clients', '顧客ポータル', 'Security', 'Tools'];
const REPO_WORDS_A = ['api', 'web', 'core', 'billing', 'auth', 'search', 'infra', 'data', 'mobile', 'docs', 'gateway', 'worker'];
const REPO_WORDS_B = ['service', 'app', 'lib', 'client', 'pipeline', 'config', 'tools', 'schema', 'ui', 'cli'];
const GLOBS = ['main', 'master', 'develop', 'release/*', 'hotfix/*', 'feature/**', '*'];
const BRANCH_TYPES = ['feature', 'bugfix', 'release', 'hotfix', 'development', 'production'];
// `branchrestriction.kind` enum; those that take `users`/`groups` come first.
const KINDS_WITH_PRINCIPALS = ['push', 'restrict_merges'];
const KINDS_WITH_VALUE = ['require_approvals_to_merge', 'require_default_reviewer_approvals_to_merge', 'require_passing_builds_to_merge', 'require_commits_behind'];
const KINDS_PLAIN = ['delete', 'force', 'require_tasks_to_be_completed', 'require_no_changes_requested', 'reset_pullrequest_approvals_on_change', 'smart_reset_pullrequest_approvals', 'require_all_dependencies_merged', 'enforce_merge_checks', 'allow_auto_merge_when_builds_pass', 'require_all_comments_resolved'];
const REPO_PERMS: readonly BitbucketRepoPermission[] = ['read', 'write', 'admin'];
const PROJECT_PERMS: readonly BitbucketProjectPermission[] = ['read', 'write', 'create-repo', 'admin'];
const BASE_TIME = Date.UTC(2019, 0, 1);
const DAY = 86_400_000;

function clampInt(v: number | undefined, def: number, min: number): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.max(min, Math.floor(v));
}

// Braced UUID as Bitbucket writes them (`{470c176d-...}`).
function braced(...parts: (string | number)[]): string {
  return `{${uuidFrom(...parts)}}`;
}

function generateUsers(seed: number, count: number, accountIds: readonly (string | null)[] | undefined, people: People | undefined): BitbucketUserRecord[] {
  const users: BitbucketUserRecord[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    // Every 13th account (from 6 on) is deleted: no account_id, no nickname, no account_status.
    const deleted = accountIds ? accountIds[i] === null : i % 13 === 6;
    while (people && next < people.count && !people.person(next).active) next++;
    const person = people && i >= 2 && !deleted && next < people.count ? people.person(next++) : undefined;
    const given = person?.accountId ?? accountIds?.[i];
    const accountId = deleted
      ? null
      : (given ??
        (unit(seed, 'bb-idstyle', i) < 0.6
          ? `557058:${uuidFrom(seed, 'bb-aid', i)}`
          : `${hex8(hash32(seed, 'bb-ida', i))}${hex8(hash32(seed, 'bb-idb', i))}${hex8(hash32(seed, 'bb-idc', i))}`));
    let displayName: string;
    if (person) displayName = person.name;
    else if (i === 0) displayName = 'Access Collector';
    else if (i === 1) displayName = 'Vera Viewer';
    else if (i % 11 === 4) displayName = UNICODE_NAMES[Math.floor(i / 11) % UNICODE_NAMES.length] ?? 'Zoë Ångström';
    else displayName = `${FIRST[hash32(seed, 'bb-first', i) % FIRST.length] ?? 'Alex'} ${LAST[hash32(seed, 'bb-last', i) % LAST.length] ?? 'Doe'}`;
    const nick = displayName
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 12);
    users.push({
      index: i,
      uuid: braced(seed, 'bb-user', i),
      accountId,
      displayName,
      nickname: deleted ? null : `${nick || 'user'}${i}`,
      accountStatus: deleted ? null : 'active',
    });
  }
  return users;
}

function pickDistinct(r: Rng, from: readonly number[], k: number): number[] {
  const idx = r.sample(from.length, Math.min(k, from.length));
  return Array.from(idx, (i) => from[i] ?? 0);
}

function generateModel(opts: BitbucketTenantOptions): BitbucketModel {
  const seed = clampInt(opts.seed, 1, -Infinity);
  const userCount = clampInt(opts.users, 150, 2);
  const wsCount = clampInt(opts.workspaces, 3, 0);
  const projectCount = clampInt(opts.projects, 4, 0);
  const repoCount = clampInt(opts.repositories, 24, 0);
  const users = generateUsers(seed, userCount, opts.accountIds, opts.people);
  let restrictionId = 4_000_000;

  const workspaces: BitbucketWorkspaceRecord[] = [];
  for (let w = 0; w < wsCount; w++) {
    const r = new Rng(hash32(seed, 'bb-ws', w));
    const empty = wsCount >= 3 && w === wsCount - 1;
    const wsSlug = WORKSPACE_SLUGS[w] ?? `acme-team-${w}`;
    const adminHub = w % 2 === 1;
    const createdOn = BASE_TIME + w * 37 * DAY + r.int(DAY);

    // Members: the collector (owner) and the viewer (member) everywhere; workspace 0 is large (several pages).
    const share = empty ? 0.05 : w === 0 ? 0.8 : 0.35;
    const others: number[] = [];
    for (let u = 2; u < userCount; u++) if (unit(seed, 'bb-member', w, u) < share) others.push(u);
    const members: BitbucketMemberRecord[] = [0, 1, ...others].map((u) => {
      const roll = unit(seed, 'bb-role', w, u);
      const permission: BitbucketWorkspaceRole = u === 0 ? 'owner' : u === 1 ? 'member' : roll < 0.06 ? 'owner' : roll < 0.16 ? 'collaborator' : 'member';
      const addedOn = createdOn + Math.floor(unit(seed, 'bb-added', w, u) * 900) * DAY;
      const never = unit(seed, 'bb-never', w, u) < 0.1;
      return {
        user: u,
        permission,
        addedOn: adminHub ? null : addedOn,
        lastAccessed: adminHub || never ? null : addedOn + Math.floor(unit(seed, 'bb-last', w, u) * 300) * DAY + 12_345,
      };
    });
    const memberIdx = members.map((m) => m.user);
    const groups = GROUP_DEFS.slice(0, 4 + (w % 5)).map((g) => ({ ...g }));

    const projects: BitbucketProjectRecord[] = [];
    const repositories: BitbucketRepositoryRecord[] = [];
    if (!empty) {
      const usedKeys = new Set<string>();
      for (let p = 0; p < projectCount; p++) {
        const pr = new Rng(hash32(seed, 'bb-project', w, p));
        const base = PROJECT_NAMES[p % PROJECT_NAMES.length] ?? 'Project';
        const name = p < PROJECT_NAMES.length ? base : `${base} ${Math.floor(p / PROJECT_NAMES.length) + 1}`;
        let key = name.normalize('NFKD').replace(/[^A-Za-z]/g, '').slice(0, 4).toUpperCase() || 'PRJ';
        for (let n = 2; usedKeys.has(key); n++) key = `${key.replace(/\d+$/, '')}${n}`;
        usedKeys.add(key);
        // Workspace 0 enforces privacy: everything private. Elsewhere project 0 of workspace 1 and some
        // projects 2 are public (public repositories need a public project).
        const isPrivate = w === 0 || !((w === 1 && p === 0) || (p === 2 && pr.chance(0.5)));
        // Project 0 of workspace 0 has no explicit grant; project 1 has more user grants than one page holds.
        const nUsers = w === 0 && p === 0 ? 0 : w === 0 && p === 1 ? Math.min(memberIdx.length, 105) : pr.int(6);
        const nGroups = w === 0 && p === 0 ? 0 : pr.int(Math.min(4, groups.length + 1));
        projects.push({
          uuid: braced(seed, 'bb-project', w, p),
          key,
          name,
          isPrivate,
          hasPubliclyVisibleRepos: false,
          vanishing: false,
          users: pickDistinct(pr, memberIdx, nUsers).map((u) => ({ user: u, permission: pr.pick(PROJECT_PERMS) })),
          groups: pickDistinct(
            pr,
            groups.map((_, g) => g),
            nGroups,
          ).map((g) => ({ group: g, permission: pr.pick(PROJECT_PERMS) })),
        });
      }

      const usedSlugs = new Set<string>();
      // With 3 or more projects the last one stays empty (no repository).
      const live = projects.map((_, p) => p).filter((p) => projectCount < 3 || p !== projectCount - 1);
      for (let k = 0; k < repoCount && live.length; k++) {
        const rr = new Rng(hash32(seed, 'bb-repo', w, k));
        let name = k % 17 === 5 ? `Dépôt Ünïcode ${k}` : `${rr.pick(REPO_WORDS_A)}-${rr.pick(REPO_WORDS_B)}`;
        let slug = name
          .normalize('NFKD')
          .toLowerCase()
          .replace(/[^a-z0-9._-]+/g, '-')
          .replace(/^-+|-+$/g, '');
        for (let n = 2; usedSlugs.has(slug); n++) slug = `${slug.replace(/-\d+$/, '')}-${n}`;
        usedSlugs.add(slug);
        if (!/[^\x00-\x7f]/.test(name)) name = slug;
        const project = live[k % live.length] ?? 0;
        const proj = projects[project];
        const isPrivate = proj?.isPrivate !== false ? true : !rr.chance(0.6);
        if (!isPrivate && proj) proj.hasPubliclyVisibleRepos = true;
        const forkPolicy = isPrivate ? rr.pick(['no_public_forks', 'no_forks', 'allow_forks'] as const) : 'allow_forks';
        const mainbranch = rr.chance(0.08) ? null : rr.pick(['main', 'main', 'master', 'develop']);
        const parentRepo = k > 3 && rr.chance(0.06) ? repositories[rr.int(repositories.length)] : undefined;

        // Repository 0 of workspace 0: more user grants than a page; repository 2: none at all.
        const nUsers = w === 0 && k === 0 ? Math.min(memberIdx.length, 130) : w === 0 && k === 2 ? 0 : rr.int(7);
        const nGroups = w === 0 && k === 2 ? 0 : rr.int(Math.min(4, groups.length + 1));
        // Repository 1 of workspace 0: more branch restrictions than a page; every 5th repository: none.
        const nRestrictions = w === 0 && k === 1 ? 104 : k % 5 === 4 ? 0 : 1 + rr.int(5);
        const restrictions: BitbucketRestrictionRecord[] = [];
        for (let b = 0; b < nRestrictions; b++) {
          const family = b % 3;
          const kind = family === 0 ? rr.pick(KINDS_WITH_PRINCIPALS) : family === 1 ? rr.pick(KINDS_WITH_VALUE) : rr.pick(KINDS_PLAIN);
          const byModel = rr.chance(0.25);
          const principals = family === 0;
          restrictions.push({
            id: restrictionId++,
            kind,
            branchMatchKind: byModel ? 'branching_model' : 'glob',
            pattern: byModel ? '' : rr.pick(GLOBS),
            branchType: byModel ? rr.pick(BRANCH_TYPES) : null,
            // Kinds with a value carry it; the others either omit the field or send null.
            value: family === 1 ? 1 + rr.int(4) : rr.chance(0.5) ? null : undefined,
            users: principals ? pickDistinct(rr, memberIdx, rr.int(4)) : [],
            groups: principals
              ? pickDistinct(
                  rr,
                  groups.map((_, g) => g),
                  rr.int(3),
                )
              : [],
          });
        }
        repositories.push({
          uuid: braced(seed, 'bb-repo', w, k),
          slug,
          name,
          fullName: `${wsSlug}/${slug}`,
          isPrivate,
          project,
          forkPolicy,
          mainbranch,
          parent: parentRepo?.fullName ?? null,
          vanishing: false,
          users: pickDistinct(rr, memberIdx, nUsers).map((u) => ({ user: u, permission: rr.pick(REPO_PERMS) })),
          groups: pickDistinct(
            rr,
            groups.map((_, g) => g),
            nGroups,
          ).map((g) => ({ group: g, permission: rr.pick(REPO_PERMS) })),
          restrictions,
        });
      }
    }
    workspaces.push({
      index: w,
      uuid: braced(seed, 'bb-workspace', w),
      slug: wsSlug,
      name: WORKSPACE_NAMES[w] ?? `Acme Team ${w}`,
      isPrivate: w !== 1,
      isPrivacyEnforced: w === 0,
      forkingMode: w === 0 ? 'internal_only' : 'allow_forks',
      createdOn,
      adminHub,
      members,
      groups,
      projects,
      repositories,
    });
  }

  // Vanishing items are spread over all workspaces, never the multi-page showcases of workspace 0.
  const markVanishing = <T extends { vanishing: boolean }>(pick: (ws: BitbucketWorkspaceRecord) => T[], n: number, skip: number): void => {
    const all = workspaces.flatMap((ws) => pick(ws).filter((_, i) => ws.index !== 0 || i >= skip));
    for (let k = 0; k < Math.min(n, all.length); k++) {
      const item = all[Math.floor(((k + 0.5) * all.length) / Math.min(n, all.length))];
      if (item) item.vanishing = true;
    }
  };
  markVanishing((ws) => ws.repositories, clampInt(opts.vanishingRepositories, 0, 0), 3);
  // A vanishing project holds no repository (Bitbucket refuses to delete a project that has some).
  markVanishing((ws) => ws.projects.filter((_, p) => !ws.repositories.some((r) => r.project === p)), clampInt(opts.vanishingProjects, 0, 0), 2);
  return { seed, users, workspaces };
}

// ---------------------------------------------------------------------------------------------
// JSON builders (fields of the spec's schemas, plus `slug` on repositories, which the API sends)

type Json = Record<string, unknown>;

// ISO-8601 with microseconds and `+00:00`, as the API writes dates.
function bbDate(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000+00:00');
}

function link(href: string): Json {
  return { href };
}

function accountJson(base: string, u: BitbucketUserRecord): Json {
  const out: Json = { type: 'user', display_name: u.displayName, uuid: u.uuid };
  out.links = { self: link(`${base}/2.0/users/${encodeURIComponent(u.uuid)}`), avatar: link(`https://avatar-management.example/${hex8(hash32(u.uuid))}.png`), html: link(`https://bitbucket.org/${encodeURIComponent(u.uuid)}/`) };
  if (u.nickname !== null) out.nickname = u.nickname;
  if (u.accountId !== null) out.account_id = u.accountId;
  if (u.accountStatus !== null) out.account_status = u.accountStatus;
  return out;
}

function workspaceRef(base: string, w: BitbucketWorkspaceRecord): Json {
  return { type: 'workspace', uuid: w.uuid, slug: w.slug, name: w.name, links: { self: link(`${base}/2.0/workspaces/${w.slug}`) } };
}

function workspaceJson(base: string, w: BitbucketWorkspaceRecord): Json {
  return {
    type: 'workspace',
    uuid: w.uuid,
    name: w.name,
    slug: w.slug,
    is_private: w.isPrivate,
    is_privacy_enforced: w.isPrivacyEnforced,
    forking_mode: w.forkingMode,
    created_on: bbDate(w.createdOn),
    updated_on: bbDate(w.createdOn + 5 * DAY),
    links: {
      self: link(`${base}/2.0/workspaces/${w.slug}`),
      html: link(`https://bitbucket.org/${w.slug}/`),
      members: link(`${base}/2.0/workspaces/${w.slug}/members`),
      projects: link(`${base}/2.0/workspaces/${w.slug}/projects`),
      repositories: link(`${base}/2.0/repositories/${w.slug}`),
    },
  };
}

function projectRef(base: string, w: BitbucketWorkspaceRecord, p: BitbucketProjectRecord): Json {
  return { type: 'project', key: p.key, uuid: p.uuid, name: p.name, links: { self: link(`${base}/2.0/workspaces/${w.slug}/projects/${p.key}`) } };
}

function projectJson(base: string, w: BitbucketWorkspaceRecord, p: BitbucketProjectRecord): Json {
  return {
    ...projectRef(base, w, p),
    description: `${p.name} — projet «${p.key}»`,
    is_private: p.isPrivate,
    has_publicly_visible_repos: p.hasPubliclyVisibleRepos,
    created_on: bbDate(w.createdOn + DAY),
    updated_on: bbDate(w.createdOn + 2 * DAY),
    owner: { type: 'team', uuid: w.uuid, display_name: w.name, username: w.slug },
  };
}

function repositoryJson(base: string, w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): Json {
  const p = w.projects[r.project];
  const out: Json = {
    type: 'repository',
    full_name: r.fullName,
    links: { self: link(`${base}/2.0/repositories/${r.fullName}`), html: link(`https://bitbucket.org/${r.fullName}`) },
    name: r.name,
    slug: r.slug,
    description: '',
    scm: 'git',
    owner: { type: 'team', uuid: w.uuid, display_name: w.name, username: w.slug },
    workspace: workspaceRef(base, w),
    is_private: r.isPrivate,
    fork_policy: r.forkPolicy,
    created_on: bbDate(w.createdOn + 3 * DAY),
    updated_on: bbDate(w.createdOn + 40 * DAY),
    size: 1024 * (1 + (hash32(r.uuid) % 5000)),
    language: 'typescript',
    has_issues: false,
    has_wiki: false,
    uuid: r.uuid,
  };
  if (p) out.project = projectRef(base, w, p);
  // A repository without commits has no main branch (the field is absent).
  if (r.mainbranch !== null) out.mainbranch = { type: 'branch', name: r.mainbranch };
  if (r.parent !== null) out.parent = { type: 'repository', full_name: r.parent, name: r.parent.split('/').pop() };
  return out;
}

function groupJson(base: string, w: BitbucketWorkspaceRecord, g: BitbucketGroupRecord, full: boolean): Json {
  const out: Json = { type: 'group', name: g.name, slug: g.slug, links: { self: link(`${base}/2.0/groups/${w.slug}/${g.slug}`) } };
  if (full) out.full_slug = `${w.slug}:${g.slug}`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Non-human access: deploy keys, webhooks, pipeline variables, derived from (seed, workspace, owner) so the
// model's generation is untouched. `owner` is a repository index, a project index (`p` prefix) or null for
// the workspace itself.

export interface BitbucketDeployKeyRecord {
  id: number;
  /** "ssh-ed25519 <base64 blob> comment" */
  key: string;
  keyType: string;
  fingerprint: string;
  label: string;
  comment: string;
  addedOn: number;
  lastUsed: number | null;
  /** User index of the owner / creator. */
  creator: number;
}

export interface BitbucketWebhookRecord {
  uuid: string;
  url: string;
  /** The URL as a collector must store it: scheme, host and path. */
  cleanUrl: string;
  host: string;
  description: string;
  active: boolean;
  events: string[];
  /** undefined = no secret; else sent in the payload (a collector must never store it). */
  secret: string | undefined;
  createdAt: number;
}

export interface BitbucketVariableRecord {
  uuid: string;
  key: string;
  secured: boolean;
  /** Sent for unsecured variables only (a collector must never store it). */
  value: string;
}

const NH_NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const NH_DAY = 86_400_000;

function sshKey(seed: number, tag: string, ...k: (string | number)[]): { key: string; keyType: string; fingerprint: string; comment: string } {
  const bytes = Buffer.alloc(51);
  bytes.write('\u0000\u0000\u0000\u000bssh-ed25519\u0000\u0000\u0000\u0020', 0, 'latin1');
  for (let i = 0; i < 8; i++) bytes.writeUInt32BE(hash32(seed, tag, ...k, i), 19 + i * 4);
  const comment = `deploy@ci-${hex8(hash32(seed, tag, ...k, 'host')).slice(0, 4)}`;
  const fingerprint = `SHA256:${createHash('sha256').update(bytes).digest('base64').replace(/=+$/, '')}`;
  return { key: `ssh-ed25519 ${bytes.toString('base64')} ${comment}`, keyType: 'ssh-ed25519', fingerprint, comment };
}

/** Deploy keys of a repository (`owner` its index) or project (`p<index>`): none, one or two; a third on index 0. */
export function bitbucketDeployKeysOf(seed: number, w: BitbucketWorkspaceRecord, owner: string, users: number): BitbucketDeployKeyRecord[] {
  const n = owner === '0' ? 3 : hash32(seed, 'bb-dk-n', w.index, owner) % 3;
  const out: BitbucketDeployKeyRecord[] = [];
  for (let k = 0; k < n; k++) {
    const ssh = sshKey(seed, 'bb-dk', w.index, owner, k);
    const added = NH_NOW - (1 + (hash32(seed, 'bb-dk-added', w.index, owner, k) % 900)) * NH_DAY;
    const used = hash32(seed, 'bb-dk-used', w.index, owner, k) % 3 !== 0;
    out.push({
      id: 100 + (hash32(seed, 'bb-dk-id', w.index, owner, k) % 900_000) * 4 + k,
      ...ssh,
      label: k === 0 ? 'ci deploy' : k === 1 ? 'Jenkins 🚀 read-only' : 'legacy backup',
      addedOn: added,
      lastUsed: used ? added + Math.floor(unit(seed, 'bb-dk-last', w.index, owner, k) * (NH_NOW - added)) : null,
      creator: users ? hash32(seed, 'bb-dk-creator', w.index, owner, k) % users : 0,
    });
  }
  return out;
}

const HOOK_TARGETS = ['https://hooks.acme.example/bitbucket', 'https://hooks.slack.com/services/T000/B000', 'https://ci.example-vendor.net/hook?token=tok-', 'https://user:pw@jenkins.acme.example:8443/bitbucket-hook/'];
const HOOK_EVENTS = ['repo:push', 'pullrequest:created', 'pullrequest:fulfilled', 'repo:updated', 'issue:created'];

/** Webhooks of a workspace (`owner` null) or repository: the workspace has two, repositories zero to two. */
export function bitbucketWebhooksOf(seed: number, w: BitbucketWorkspaceRecord, owner: string | null): BitbucketWebhookRecord[] {
  const n = owner === null ? 2 : owner === '0' ? 3 : hash32(seed, 'bb-hook-n', w.index, owner) % 3;
  const out: BitbucketWebhookRecord[] = [];
  for (let k = 0; k < n; k++) {
    const t = hash32(seed, 'bb-hook-target', w.index, owner ?? 'ws', k) % HOOK_TARGETS.length;
    const base = HOOK_TARGETS[t] ?? 'https://hooks.acme.example/bitbucket';
    const url = base.endsWith('token=tok-') ? `${base}${hex8(hash32(seed, 'bb-hook-token', w.index, owner ?? 'ws', k))}` : base;
    const u = new URL(url);
    const events = HOOK_EVENTS.filter((_, e) => (hash32(seed, 'bb-hook-ev', w.index, owner ?? 'ws', k, e) & 1) === 1 || e === 0);
    out.push({
      uuid: `{${uuidFrom(seed, 'bb-hook', w.index, owner ?? 'ws', k)}}`,
      url,
      cleanUrl: `${u.protocol}//${u.host}${u.pathname}`,
      host: u.hostname,
      description: k === 0 ? 'CI trigger' : `hook ${k + 1}`,
      active: k !== 1,
      events,
      secret: k === 0 ? `whsec-${hex8(hash32(seed, 'bb-hook-secret', w.index, owner ?? 'ws'))}` : undefined,
      createdAt: NH_NOW - (1 + (hash32(seed, 'bb-hook-created', w.index, owner ?? 'ws', k) % 700)) * NH_DAY,
    });
  }
  return out;
}

const VARIABLE_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN', 'SONAR_HOST', 'DEPLOY_ENV', 'SLACK_WEBHOOK'];

/** Pipeline variables of a workspace (`owner` null) or repository: secured and not; values in the payload only. */
export function bitbucketVariablesOf(seed: number, w: BitbucketWorkspaceRecord, owner: string | null): BitbucketVariableRecord[] {
  const n = owner === null ? 3 : hash32(seed, 'bb-var-n', w.index, owner) % 4;
  const out: BitbucketVariableRecord[] = [];
  for (let k = 0; k < n; k++) {
    const key = VARIABLE_KEYS[(hash32(seed, 'bb-var-key', w.index, owner ?? 'ws') + k) % VARIABLE_KEYS.length] ?? 'VAR';
    out.push({ uuid: `{${uuidFrom(seed, 'bb-var', w.index, owner ?? 'ws', k)}}`, key, secured: /SECRET|TOKEN|WEBHOOK/.test(key), value: `value-${hex8(hash32(seed, 'bb-var-value', w.index, owner ?? 'ws', k))}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routes

const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, ...(headers ? { headers } : {}) });

/** Bitbucket's `error` schema: `{type: "error", error: {message, detail?}}`. */
export function bitbucketErrorBody(message: string, detail?: string): Json {
  return { type: 'error', error: detail === undefined ? { message } : { message, detail } };
}
const fail = (status: number, message: string, detail?: string): RouteResult => ({ status, body: bitbucketErrorBody(message, detail) });

// Style B paging (facts sheet §3, narrative "Pagination"): `pagelen` 10..100 (default 10), and a `next`
// link the client must follow as given. List-based pages carry `size`, `page`, `previous` and page-number
// links; iterator-based ones only `pagelen`, `values` and an opaque `next`. A page the 'shortPage' fault
// cut continues right after its last item through an opaque cursor.
function pageOf<T>(ctx: RouteContext, all: readonly T[], map: (item: T) => Json, iterator: boolean, seed: number): RouteResult {
  const rawLen = ctx.query.get('pagelen');
  const asked = rawLen === null || rawLen === '' ? 10 : Number(rawLen);
  if (!Number.isInteger(asked) || asked < 1) return fail(400, `Invalid pagelen: '${rawLen ?? ''}'`);
  // Narrative: "Globally, the minimum length is 10 and the maximum is 100" (clamped, not refused: unverified).
  const pagelen = Math.min(100, Math.max(10, asked));
  let start = 0;
  let pageNo: number | undefined;
  const cursor = ctx.query.get('cursor');
  const pageParam = ctx.query.get('page');
  if (cursor !== null) {
    const decoded = decodeCursor(cursor, seed);
    if (decoded === null) return fail(400, 'Invalid cursor');
    start = decoded;
  } else if (pageParam !== null) {
    const n = Number(pageParam);
    if (!Number.isInteger(n) || n < 1) return fail(400, `Invalid page: '${pageParam}'`);
    pageNo = n;
    start = (n - 1) * pagelen;
  } else pageNo = 1;
  const slice = all.slice(start, start + pagelen);
  const { items } = ctx.page(slice);
  const end = start + items.length;
  const linkTo = (params: Record<string, string>): string => {
    const q = new URLSearchParams(ctx.query);
    q.delete('page');
    q.delete('cursor');
    for (const [k, v] of Object.entries(params)) q.set(k, v);
    return `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
  };
  const body: Json = { pagelen };
  if (!iterator) {
    body.size = all.length;
    if (pageNo !== undefined) body.page = pageNo;
  }
  body.values = items.map(map);
  if (end < all.length) {
    const aligned = !iterator && end % pagelen === 0;
    body.next = aligned ? linkTo({ page: String(end / pagelen + 1) }) : linkTo({ cursor: encodeCursor(end, seed) });
  }
  if (!iterator && pageNo !== undefined && pageNo > 1) body.previous = linkTo({ page: String(pageNo - 1) });
  return ok(body);
}

// Opaque position: not a page number, not guessable (narrative: "an unpredictable hash").
function encodeCursor(offset: number, seed: number): string {
  return Buffer.from(`${offset}:${hex8(hash32(seed, 'bb-cursor', offset))}`).toString('base64url');
}
function decodeCursor(cursor: string, seed: number): number | null {
  const m = /^(\d+):([0-9a-f]{8})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return null;
  const offset = Number(m[1]);
  return m[2] === hex8(hash32(seed, 'bb-cursor', offset)) ? offset : null;
}

// Who calls: the collector's account (admin), the viewer (non-admin member) or a workspace access token.
type Caller = 'admin' | 'limited' | 'accessToken';

// Scopes a classic OAuth scope implies (narrative "Bitbucket OAuth 2.0 scopes").
const IMPLIES: Readonly<Record<string, readonly string[]>> = {
  project: ['repository'],
  'repository:write': ['repository'],
  pullrequest: ['repository'],
  'pullrequest:write': ['pullrequest', 'repository:write', 'repository'],
  'account:write': ['account'],
};

function expandScopes(scopes: readonly string[]): Set<string> {
  const out = new Set<string>();
  const add = (s: string): void => {
    if (out.has(s)) return;
    out.add(s);
    for (const t of IMPLIES[s] ?? []) add(t);
  };
  for (const s of scopes) add(s);
  return out;
}

export interface BbRoute {
  method: 'GET';
  path: string;
  // Classic OAuth scope from the operation's `security`; none = any authenticated caller.
  scope?: string;
  // Permission endpoint: access tokens are refused (narrative "Access tokens").
  permissions?: boolean;
  // What a non-admin member gets (the operation's documented 403; served through `denyLimited`).
  adminOnly?: string;
  // Counts against the `/2.0/repositories/*` hourly budget (facts sheet §9).
  repositoryBudget?: boolean;
  paged?: boolean;
  handle(ctx: RouteContext, caller: Caller): RouteResult;
}

export function bitbucketTenant(opts: BitbucketTenantOptions = {}): BitbucketSim {
  const model = generateModel(opts);
  const { users, workspaces, seed } = model;
  const consumers = opts.oauthConsumers ?? [{ ...DEFAULT_BITBUCKET_CONSUMER, scopes: [...DEFAULT_BITBUCKET_CONSUMER.scopes] }];
  const ttlMs = clampInt(opts.accessTtlMs, 3_600_000, 1);
  const iterator = new Set<BitbucketList>(opts.iteratorLists ?? ['branch-restrictions']);
  const rate = opts.repositoryRateLimit ? { ...opts.repositoryRateLimit } : null;

  // Scopes of the tokens this tenant issued (other Bearer tokens the server accepts have every scope),
  // workspace access tokens, and live refresh tokens (single use) by consumer.
  const tokenScopes = new Map<string, ReadonlySet<string>>();
  const workspaceTokens = new Set<string>();
  const refreshTokens = new Map<string, string>();
  let issued = 0;
  const budget = new Map<string, number[]>();

  const wsByRef = new Map<string, BitbucketWorkspaceRecord>();
  for (const w of workspaces) {
    wsByRef.set(w.slug, w);
    wsByRef.set(w.uuid, w);
  }

  const bearerOf = (ctx: RouteContext): string | null => {
    const raw = ctx.headers.authorization;
    const header = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
    return /^bearer /i.test(header) ? header.slice(7).trim() : null;
  };

  // Rolling window per credential over `/2.0/repositories/*` (facts sheet §9).
  const overBudget = (ctx: RouteContext): RouteResult | null => {
    if (!rate) return null;
    const raw = ctx.headers.authorization;
    const who = String(hash32(String(Array.isArray(raw) ? raw[0] : (raw ?? ''))));
    const now = Date.now();
    const log = (budget.get(who) ?? []).filter((t) => t > now - rate.windowMs);
    budget.set(who, log);
    if (log.length >= rate.limit) {
      const headers: Record<string, string> = rate.retryAfterSeconds !== undefined ? { 'retry-after': String(rate.retryAfterSeconds) } : {};
      return { status: 429, body: bitbucketErrorBody('Rate limit for this resource has been exceeded'), headers };
    }
    log.push(now);
    return null;
  };

  const guard = (r: BbRoute): Route => ({
    method: r.method,
    path: r.path,
    ...(r.paged ? { paged: true } : {}),
    ...(r.adminOnly ? { denyLimited: { status: 403, message: r.adminOnly } } : {}),
    handle: (ctx) => {
      const token = bearerOf(ctx);
      const accessToken = token !== null && workspaceTokens.has(token);
      const scopes = token !== null ? tokenScopes.get(token) : undefined;
      if (r.scope && scopes && !scopes.has(r.scope)) {
        // Wording unverified: Bitbucket names the required and granted scopes.
        return fail(403, 'Your credentials lack one or more required privilege scopes.', `required: ${r.scope}; granted: ${[...scopes].sort().join(', ')}`);
      }
      if (r.permissions && accessToken) {
        // Narrative "Access tokens": "You can't use an access token to manipulate or query repository,
        // project, or workspace permissions." Status and wording unverified.
        return fail(403, 'Access tokens cannot be used to read permissions.');
      }
      if (r.repositoryBudget) {
        const limitedNow = overBudget(ctx);
        if (limitedNow) return limitedNow;
      }
      return r.handle(ctx, accessToken ? 'accessToken' : ctx.principal === 'limited' ? 'limited' : 'admin');
    },
  });

  const findWorkspace = (ctx: RouteContext): BitbucketWorkspaceRecord | RouteResult => {
    const ref = ctx.params.workspace ?? '';
    const w = wsByRef.get(ref);
    return w ?? fail(404, `No workspace with identifier '${ref}'.`);
  };
  const findProject = (ctx: RouteContext): { w: BitbucketWorkspaceRecord; p: BitbucketProjectRecord } | RouteResult => {
    const w = findWorkspace(ctx);
    if ('status' in w) return w;
    const key = ctx.params.project_key ?? '';
    const p = w.projects.find((x) => x.key === key || x.uuid === key);
    if (!p || p.vanishing) return fail(404, `Project ${key} not found in workspace ${w.slug}.`);
    return { w, p };
  };
  const findRepository = (ctx: RouteContext): { w: BitbucketWorkspaceRecord; r: BitbucketRepositoryRecord } | RouteResult => {
    const w = findWorkspace(ctx);
    if ('status' in w) return w;
    const ref = ctx.params.repo_slug ?? '';
    const r = w.repositories.find((x) => x.slug === ref || x.uuid === ref);
    // "No repository exists for the given repository slug and workspace." (also once it was deleted)
    if (!r || r.vanishing) return fail(404, `Repository ${w.slug}/${ref} not found`);
    return { w, r };
  };
  const isErr = (x: object): x is RouteResult => 'status' in x && 'body' in x;

  const membership = (ctx: RouteContext, w: BitbucketWorkspaceRecord, m: BitbucketMemberRecord, withPermission: boolean): Json => {
    const u = users[m.user];
    const out: Json = { type: 'workspace_membership' };
    if (withPermission) {
      out.permission = m.permission;
      if (m.lastAccessed !== null) out.last_accessed = bbDate(m.lastAccessed);
      if (m.addedOn !== null) out.added_on = bbDate(m.addedOn);
    }
    out.user = u ? accountJson(ctx.baseUrl, u) : {};
    out.workspace = workspaceRef(ctx.baseUrl, w);
    out.links = { self: link(`${ctx.baseUrl}/2.0/workspaces/${w.slug}/members/${encodeURIComponent(u?.uuid ?? '')}`) };
    return out;
  };

  const userGrant = (ctx: RouteContext, type: string, selfBase: string, g: BitbucketUserGrant<string>): Json => {
    const u = users[g.user];
    return {
      type,
      user: u ? accountJson(ctx.baseUrl, u) : {},
      permission: g.permission,
      links: { self: link(`${selfBase}/${encodeURIComponent(u?.accountId ?? u?.uuid ?? '')}`) },
    };
  };
  const groupGrant = (ctx: RouteContext, type: string, selfBase: string, w: BitbucketWorkspaceRecord, g: BitbucketGroupGrant<string>, fullSlug: boolean): Json => {
    const group = w.groups[g.group] ?? { slug: 'unknown', name: 'unknown' };
    return { type, group: groupJson(ctx.baseUrl, w, group, fullSlug), permission: g.permission, links: { self: link(`${selfBase}/${group.slug}`) } };
  };

  const list = <T>(ctx: RouteContext, name: BitbucketList, all: readonly T[], map: (item: T) => Json): RouteResult => pageOf(ctx, all, map, iterator.has(name), seed);

  const deployKeyJson = (ctx: RouteContext, k: BitbucketDeployKeyRecord, who: 'owner' | 'created_by', parent: Json): Json => {
    const u = users[k.creator];
    const out: Json = { id: k.id, key: k.key, label: k.label, type: who === 'owner' ? 'deploy_key' : 'project_deploy_key', comment: k.comment };
    out[who === 'owner' ? 'created_on' : 'added_on'] = bbDate(k.addedOn);
    out.last_used = k.lastUsed === null ? null : bbDate(k.lastUsed);
    Object.assign(out, parent);
    if (u) out[who] = accountJson(ctx.baseUrl, u);
    return out;
  };
  const hookJson = (k: BitbucketWebhookRecord, subjectType: 'workspace' | 'repository', subject: Json): Json => ({
    uuid: k.uuid,
    url: k.url,
    description: k.description,
    subject_type: subjectType,
    subject,
    active: k.active,
    created_at: bbDate(k.createdAt),
    events: k.events,
    secret_set: k.secret !== undefined,
    // The schema names `secret`; a collector must drop it.
    ...(k.secret !== undefined ? { secret: k.secret } : {}),
  });
  const variableJson = (v: BitbucketVariableRecord): Json => ({ type: 'pipeline_variable', uuid: v.uuid, key: v.key, secured: v.secured, ...(v.secured ? {} : { value: v.value }) });
  const repoIndex = (w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): string => String(w.repositories.indexOf(r));

  const bbRoutes: BbRoute[] = [
    {
      // `~1repositories~1{workspace}~1{repo_slug}~1deploy-keys/get`: security oauth2 [repository, repository:admin];
      // 403 "If the specified user or repository is not accessible to the current user".
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/deploy-keys',
      scope: 'repository:admin',
      adminOnly: 'You must be an admin of this repository to view its deploy keys.',
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        if (isErr(f)) return f;
        const parent = { repository: { type: 'repository', full_name: f.r.fullName, name: f.r.name, uuid: f.r.uuid } };
        return list(ctx, 'deploy-keys', bitbucketDeployKeysOf(seed, f.w, repoIndex(f.w, f.r), users.length), (k) => deployKeyJson(ctx, k, 'owner', parent));
      },
    },
    {
      // `~1workspaces~1{workspace}~1projects~1{project_key}~1deploy-keys/get`: security oauth2 [project, project:admin].
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/projects/{project_key}/deploy-keys',
      scope: 'project:admin',
      adminOnly: 'You must be an admin of this project to view its deploy keys.',
      paged: true,
      handle: (ctx) => {
        const f = findProject(ctx);
        if (isErr(f)) return f;
        const parent = { project: { type: 'project', key: f.p.key, uuid: f.p.uuid, name: f.p.name } };
        return list(ctx, 'deploy-keys', bitbucketDeployKeysOf(seed, f.w, `p${f.w.projects.indexOf(f.p)}`, users.length), (k) => deployKeyJson(ctx, k, 'created_by', parent));
      },
    },
    {
      // `~1workspaces~1{workspace}~1hooks/get`: security oauth2 [webhook]; 403 "If the authenticated user is not
      // an owner on the specified workspace".
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/hooks',
      scope: 'webhook',
      adminOnly: 'You must be an owner of this workspace to view its webhooks.',
      paged: true,
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        if (isErr(w)) return w;
        return list(ctx, 'hooks', bitbucketWebhooksOf(seed, w, null), (k) => hookJson(k, 'workspace', workspaceRef(ctx.baseUrl, w)));
      },
    },
    {
      // `~1repositories~1{workspace}~1{repo_slug}~1hooks/get`: security oauth2 [webhook]; 403 "If the
      // authenticated user does not have permission to access the webhooks".
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/hooks',
      scope: 'webhook',
      adminOnly: 'You must be an admin of this repository to view its webhooks.',
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        if (isErr(f)) return f;
        const subject = { type: 'repository', full_name: f.r.fullName, uuid: f.r.uuid };
        return list(ctx, 'hooks', bitbucketWebhooksOf(seed, f.w, repoIndex(f.w, f.r)), (k) => hookJson(k, 'repository', subject));
      },
    },
    {
      // `~1workspaces~1{workspace}~1pipelines-config~1variables/get`: security oauth2 [pipeline].
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/pipelines-config/variables',
      scope: 'pipeline',
      adminOnly: 'You must be an admin of this workspace to view its variables.',
      paged: true,
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        if (isErr(w)) return w;
        return list(ctx, 'variables', bitbucketVariablesOf(seed, w, null), variableJson);
      },
    },
    {
      // `~1repositories~1{workspace}~1{repo_slug}~1pipelines_config~1variables/get`: security oauth2 [pipeline].
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/pipelines_config/variables',
      scope: 'pipeline',
      adminOnly: 'You must be an admin of this repository to view its variables.',
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        if (isErr(f)) return f;
        return list(ctx, 'variables', bitbucketVariablesOf(seed, f.w, repoIndex(f.w, f.r)), variableJson);
      },
    },
    ...environmentRoutes({ seed, findRepository, isErr, list, variableJson, fail }),
    {
      // `~1user/get`: the account behind the credential (a credential check).
      method: 'GET',
      path: '/2.0/user',
      scope: 'account',
      handle: (ctx, caller) => {
        if (caller === 'accessToken') return ok({ type: 'user', display_name: 'Workspace access token', uuid: braced(seed, 'bb-access-token') });
        const u = users[caller === 'limited' ? 1 : 0];
        return ok({ ...(u ? accountJson(ctx.baseUrl, u) : {}), created_on: bbDate(BASE_TIME), has_2fa_enabled: caller === 'admin', is_staff: false });
      },
    },
    {
      // `~1user~1workspaces/get`: workspace_access {administrator, workspace (workspace_base: uuid, slug)};
      // `administrator` filter. An access token sees its own workspace only (unverified).
      method: 'GET',
      path: '/2.0/user/workspaces',
      scope: 'account',
      paged: true,
      handle: (ctx, caller) => {
        const admin = caller === 'admin';
        const filter = ctx.query.get('administrator');
        const visible = caller === 'accessToken' ? workspaces.slice(0, 1) : workspaces;
        const shown = visible.filter(() => filter === null || (filter === 'true') === admin);
        return list(ctx, 'user-workspaces', shown, (w) => ({
          type: 'workspace_access',
          administrator: admin,
          workspace: { type: 'workspace_base', uuid: w.uuid, slug: w.slug, links: { self: link(`${ctx.baseUrl}/2.0/workspaces/${w.slug}`), avatar: link(`${ctx.baseUrl}/workspaces/${w.slug}/avatar/`) } },
          links: { self: link(`${ctx.baseUrl}/2.0/user/workspaces/${w.slug}/permission`) },
        }));
      },
    },
    {
      // `~1workspaces~1{workspace}/get`: by slug or `{uuid}`; 404 "If no workspace exists for the specified name or UUID".
      method: 'GET',
      path: '/2.0/workspaces/{workspace}',
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        return isErr(w) ? w : ok(workspaceJson(ctx.baseUrl, w));
      },
    },
    {
      // `~1workspaces~1{workspace}~1members/get`: workspace_membership without the permission.
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/members',
      scope: 'account',
      paged: true,
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        return isErr(w) ? w : list(ctx, 'members', w.members, (m) => membership(ctx, w, m, false));
      },
    },
    {
      // `~1workspaces~1{workspace}~1permissions/get`: workspace_membership + permission (owner|collaborator|member)
      // and, until administration moves to admin.atlassian.com, last_accessed and added_on (operation example).
      // The spec documents no 403: members may read it. `q=permission="…"` is the documented filter.
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/permissions',
      scope: 'account',
      paged: true,
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        if (isErr(w)) return w;
        const q = ctx.query.get('q');
        let all = w.members;
        if (q !== null) {
          const m = /^\s*permission\s*=\s*"(owner|collaborator|member)"\s*$/.exec(q);
          if (!m) return fail(400, `Invalid query: ${q}`);
          all = all.filter((x) => x.permission === m[1]);
        }
        return list(ctx, 'permissions', all, (m) => membership(ctx, w, m, true));
      },
    },
    {
      // `~1workspaces~1{workspace}~1projects/get`; 404 "A workspace doesn't exist at this location."
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/projects',
      scope: 'project',
      paged: true,
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        return isErr(w) ? w : list(ctx, 'projects', w.projects, (p) => projectJson(ctx.baseUrl, w, p));
      },
    },
    {
      // `~1workspaces~1{workspace}~1projects~1{project_key}~1permissions-config~1users/get`: explicit grants,
      // no BBQL; 403 "The user doesn't have admin access to the project."; 404 when the project is gone.
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/projects/{project_key}/permissions-config/users',
      scope: 'project:admin',
      permissions: true,
      adminOnly: "The user doesn't have admin access to the project.",
      paged: true,
      handle: (ctx) => {
        const f = findProject(ctx);
        if (isErr(f)) return f;
        const selfBase = `${ctx.baseUrl}/2.0/workspaces/${f.w.slug}/projects/${f.p.key}/permissions-config/users`;
        return list(ctx, 'project-users', f.p.users, (g) => userGrant(ctx, 'project_user_permission', selfBase, g));
      },
    },
    {
      // `~1workspaces~1{workspace}~1projects~1{project_key}~1permissions-config~1groups/get`: group {name, slug, full_slug}.
      method: 'GET',
      path: '/2.0/workspaces/{workspace}/projects/{project_key}/permissions-config/groups',
      scope: 'project:admin',
      permissions: true,
      adminOnly: "The user doesn't have admin access to the project.",
      paged: true,
      handle: (ctx) => {
        const f = findProject(ctx);
        if (isErr(f)) return f;
        const selfBase = `${ctx.baseUrl}/2.0/workspaces/${f.w.slug}/projects/${f.p.key}/permissions-config/groups`;
        return list(ctx, 'project-groups', f.p.groups, (g) => groupGrant(ctx, 'project_group_permission', selfBase, f.w, g, true));
      },
    },
    {
      // `~1repositories~1{workspace}/get`: every repository of the workspace; `role` narrows to the
      // caller's explicit access (the collector's admin account has it on all). 404 for an unknown workspace.
      method: 'GET',
      path: '/2.0/repositories/{workspace}',
      scope: 'repository',
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const w = findWorkspace(ctx);
        if (isErr(w)) return w;
        const role = ctx.query.get('role');
        if (role !== null && !['member', 'contributor', 'admin', 'owner'].includes(role)) return fail(400, `Invalid role: ${role}`);
        return list(ctx, 'repositories', w.repositories, (r) => repositoryJson(ctx.baseUrl, w, r));
      },
    },
    {
      // `~1repositories~1{workspace}~1{repo_slug}/get`
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}',
      scope: 'repository',
      repositoryBudget: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        return isErr(f) ? f : ok(repositoryJson(ctx.baseUrl, f.w, f.r));
      },
    },
    {
      // `~1repositories~1{workspace}~1{repo_slug}~1permissions-config~1users/get`: explicit grants, no BBQL;
      // 403 "The requesting user isn't an admin of the repository."; 404 "No repository exists ...".
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/permissions-config/users',
      scope: 'repository:admin',
      permissions: true,
      adminOnly: "The requesting user isn't an admin of the repository.",
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        if (isErr(f)) return f;
        const selfBase = `${ctx.baseUrl}/2.0/repositories/${f.r.fullName}/permissions-config/users`;
        return list(ctx, 'repository-users', f.r.users, (g) => userGrant(ctx, 'repository_user_permission', selfBase, g));
      },
    },
    {
      // `~1repositories~1{workspace}~1{repo_slug}~1permissions-config~1groups/get`: group {name, slug} (example).
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/permissions-config/groups',
      scope: 'repository:admin',
      permissions: true,
      adminOnly: "The requesting user isn't an admin of the repository.",
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        if (isErr(f)) return f;
        const selfBase = `${ctx.baseUrl}/2.0/repositories/${f.r.fullName}/permissions-config/groups`;
        return list(ctx, 'repository-groups', f.r.groups, (g) => groupGrant(ctx, 'repository_group_permission', selfBase, f.w, g, false));
      },
    },
    {
      // `~1repositories~1{workspace}~1{repo_slug}~1branch-restrictions/get`: filters `kind`, `pattern`; 403 "If the
      // authenticated user does not have admin access to the repository". Access tokens may read these.
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/branch-restrictions',
      scope: 'repository:admin',
      adminOnly: 'You must be an admin of this repository to view its branch restrictions.',
      repositoryBudget: true,
      paged: true,
      handle: (ctx) => {
        const f = findRepository(ctx);
        if (isErr(f)) return f;
        const kind = ctx.query.get('kind');
        const pattern = ctx.query.get('pattern');
        const all = f.r.restrictions.filter((b) => (kind === null || b.kind === kind) && (pattern === null || b.pattern === pattern));
        return list(ctx, 'branch-restrictions', all, (b) => {
          const out: Json = {
            type: 'branchrestriction',
            links: { self: link(`${ctx.baseUrl}/2.0/repositories/${f.r.fullName}/branch-restrictions/${b.id}`) },
            id: b.id,
            kind: b.kind,
            branch_match_kind: b.branchMatchKind,
            pattern: b.pattern,
          };
          if (b.branchType !== null) out.branch_type = b.branchType;
          if (b.value !== undefined) out.value = b.value;
          out.users = b.users.map((u) => {
            const rec = users[u];
            return rec ? accountJson(ctx.baseUrl, rec) : {};
          });
          out.groups = b.groups.map((g) => groupJson(ctx.baseUrl, f.w, f.w.groups[g] ?? { slug: 'unknown', name: 'unknown' }, true));
          return out;
        });
      },
    },
  ];

  // `POST /site/oauth2/access_token` (bitbucket.org; narrative "OAuth 2.0"): client id and secret as Basic,
  // form body. `client_credentials` issues a token for the consumer's owner; `refresh_token` rotates: "a new
  // refresh token will be issued ... The existing refresh token will expire shortly after" (here: at once).
  // Errors follow RFC 6749 §5.2 (`{error, error_description}`).
  const tokenRoute: Route = {
    method: 'POST',
    path: '/site/oauth2/access_token',
    ownAuth: true,
    handle: (ctx) => {
      const raw = ctx.headers.authorization;
      const header = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
      const decoded = /^basic /i.test(header) ? Buffer.from(header.slice(6).trim(), 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const consumer = consumers.find((c) => colon >= 0 && c.key === decoded.slice(0, colon) && c.secret === decoded.slice(colon + 1));
      if (!consumer) return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' } };
      const form = new URLSearchParams(ctx.body);
      const grant = form.get('grant_type');
      if (grant === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        if (refreshTokens.get(rt) !== consumer.key) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh_token' } };
        refreshTokens.delete(rt);
      } else if (grant !== 'client_credentials') {
        return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant ?? '(none)'}` } };
      }
      issued++;
      const accessToken = ctx.tokens.issue(ttlMs, 'sim-bb', opts.accessUses);
      const refreshToken = `sim-bb-refresh-${hex8(hash32(seed, 'bb-rt', issued))}${hex8(hash32(seed, 'bb-rt2', issued))}`;
      tokenScopes.set(accessToken, expandScopes(consumer.scopes));
      refreshTokens.set(refreshToken, consumer.key);
      return ok({ access_token: accessToken, token_type: 'bearer', expires_in: 3600, scopes: consumer.scopes.join(' '), refresh_token: refreshToken });
    },
  };

  // Facts sheet §9 (Bitbucket Cloud "API request limits"): a one-hour rolling window per user, access token
  // or OAuth consumer; the 429 says "Rate limit for this resource has been exceeded" and names no wait
  // (Retry-After unverified), and no X-RateLimit-* comes to API tokens or OAuth consumers.
  const hourlyBudget: ProductBudget = {
    rules: [
      {
        name: 'user',
        kind: 'rolling',
        limit: clampInt(opts.hourlyLimit, BITBUCKET_REPOSITORY_HOURLY_LIMIT.limit, 1),
        windowMs: BITBUCKET_REPOSITORY_HOURLY_LIMIT.windowMs,
        callerOf: ({ headers, path }) => {
          if (path === tokenRoute.path) return null;
          const raw = headers.authorization;
          return String(hash32('bb-caller', String(Array.isArray(raw) ? raw[0] : (raw ?? ''))));
        },
      },
    ],
    tooMany: () => ({ body: bitbucketErrorBody('Rate limit for this resource has been exceeded'), headers: {} }),
  };

  return {
    name: 'bitbucket',
    budget: hourlyBudget,
    auth: { basic: true, bearer: true },
    routes: [...bbRoutes.map(guard), tokenRoute],
    // Bitbucket's `error` schema; the 429 wording from facts sheet §9.
    errorBody: (status, message) => bitbucketErrorBody(status === 429 ? 'Rate limit for this resource has been exceeded' : message),
    model,
    tokenPath: tokenRoute.path,
    issuedTokens: () => issued,
    resetRateLimit: () => budget.clear(),
    workspaceAccessToken: (tokens) => {
      const t = tokens.issue(365 * DAY, 'sim-bb-wat');
      workspaceTokens.add(t);
      return t;
    },
    groundTruth: (scope) => groundTruth(model, scope),
    minimumRequests: (scope) => minimumRequests(model, scope),
  };
}

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

type Rows<T> = RowInput<T>[];

function collected(model: BitbucketModel, scope: BitbucketScope = {}): BitbucketWorkspaceRecord[] {
  if (!scope.workspaces?.length) return model.workspaces;
  const wanted = new Set(scope.workspaces);
  return model.workspaces.filter((w) => wanted.has(w.slug) || wanted.has(w.uuid));
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Rows a perfect collector writes: every workspace, member, project and repository as listed; explicit
 * grants and branch restrictions of every project and repository that still exists when they are read
 * (vanishing ones are listed but their children answer 404).
 */
export function groundTruth(model: BitbucketModel, scope: BitbucketScope = {}): Record<string, Record<string, unknown>[]> {
  const { users } = model;
  const wsRows: Rows<typeof bitbucketWorkspaces> = [];
  const memberRows: Rows<typeof bitbucketWorkspaceMembers> = [];
  const projectRows: Rows<typeof bitbucketProjects> = [];
  const projectPermRows: Rows<typeof bitbucketProjectPermissions> = [];
  const repoRows: Rows<typeof bitbucketRepositories> = [];
  const repoPermRows: Rows<typeof bitbucketRepositoryPermissions> = [];
  const restrictionRows: Rows<typeof bitbucketBranchRestrictions> = [];
  const keyRows: Rows<typeof bitbucketDeployKeys> = [];
  const hookRows: Rows<typeof bitbucketWebhooks> = [];
  const variableRows: Rows<typeof bitbucketPipelineVariables> = [];
  const keyRow = (w: BitbucketWorkspaceRecord, level: 'repository' | 'project', parentUuid: string, parentName: string, k: BitbucketDeployKeyRecord) => ({
    level,
    parent_uuid: parentUuid,
    parent_name: parentName,
    workspace_uuid: w.uuid,
    workspace_slug: w.slug,
    key_id: String(k.id),
    label: k.label,
    comment: k.comment,
    key_type: k.keyType,
    fingerprint: k.fingerprint,
    added_on: isoOrNull(k.addedOn),
    last_used: isoOrNull(k.lastUsed),
    created_by_account_id: users[k.creator]?.accountId ?? null,
  });
  const hookRow = (w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord | null, h: BitbucketWebhookRecord) => ({
    webhook_uuid: h.uuid,
    level: r ? 'repository' : 'workspace',
    workspace_uuid: w.uuid,
    workspace_slug: w.slug,
    repository_uuid: r?.uuid ?? null,
    repository_full_name: r?.fullName ?? null,
    url_host: h.host,
    url: h.cleanUrl,
    description: h.description,
    active: h.active,
    events: h.events,
    secret_set: h.secret !== undefined,
    created_at: isoOrNull(h.createdAt),
  });
  const variableRow = (w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord | null, v: BitbucketVariableRecord) => ({
    level: r ? 'repository' : 'workspace',
    owner_uuid: r?.uuid ?? w.uuid,
    workspace_uuid: w.uuid,
    workspace_slug: w.slug,
    repository_uuid: r?.uuid ?? null,
    repository_full_name: r?.fullName ?? null,
    environment_uuid: null,
    environment_name: null,
    variable_uuid: v.uuid,
    key: v.key,
    secured: v.secured,
  });
  const userCols = (i: number) => {
    const u = users[i];
    return { account_id: u?.accountId ?? null, user_uuid: u?.uuid ?? null, display_name: u?.displayName ?? null, group_slug: null, group_name: null };
  };
  const groupCols = (w: BitbucketWorkspaceRecord, g: number) => {
    const group = w.groups[g];
    return { account_id: null, user_uuid: null, display_name: null, group_slug: group?.slug ?? null, group_name: group?.name ?? null };
  };

  for (const w of collected(model, scope)) {
    const ws = { workspace_uuid: w.uuid, workspace_slug: w.slug };
    wsRows.push({ workspace_uuid: w.uuid, slug: w.slug, name: w.name, is_private: w.isPrivate, is_privacy_enforced: w.isPrivacyEnforced, forking_mode: w.forkingMode, created_on: isoOrNull(w.createdOn) });
    for (const m of w.members) {
      const u = users[m.user];
      if (!u) continue;
      memberRows.push({
        ...ws,
        account_id: u.accountId,
        user_uuid: u.uuid,
        display_name: u.displayName,
        nickname: u.nickname,
        account_status: u.accountStatus,
        permission: m.permission,
        added_on: isoOrNull(m.addedOn),
        last_accessed: isoOrNull(m.lastAccessed),
      });
    }
    for (const p of w.projects) {
      projectRows.push({ project_uuid: p.uuid, ...ws, project_key: p.key, name: p.name, is_private: p.isPrivate, has_publicly_visible_repos: p.hasPubliclyVisibleRepos });
      if (p.vanishing) continue;
      const base = { project_uuid: p.uuid, project_key: p.key, ...ws };
      for (const g of p.users) projectPermRows.push({ ...base, principal_type: 'user', ...userCols(g.user), permission: g.permission });
      for (const g of p.groups) projectPermRows.push({ ...base, principal_type: 'group', ...groupCols(w, g.group), permission: g.permission });
      for (const k of bitbucketDeployKeysOf(model.seed, w, `p${w.projects.indexOf(p)}`, users.length)) keyRows.push(keyRow(w, 'project', p.uuid, p.key, k));
    }
    for (const h of bitbucketWebhooksOf(model.seed, w, null)) hookRows.push(hookRow(w, null, h));
    for (const v of bitbucketVariablesOf(model.seed, w, null)) variableRows.push(variableRow(w, null, v));
    for (const r of w.repositories) {
      const p = w.projects[r.project];
      repoRows.push({
        repository_uuid: r.uuid,
        ...ws,
        full_name: r.fullName,
        slug: r.slug,
        name: r.name,
        is_private: r.isPrivate,
        project_uuid: p?.uuid ?? null,
        project_key: p?.key ?? null,
        fork_policy: r.forkPolicy,
        mainbranch: r.mainbranch,
        parent_full_name: r.parent,
      });
      if (r.vanishing) continue;
      const base = { repository_uuid: r.uuid, repository_full_name: r.fullName, ...ws };
      for (const g of r.users) repoPermRows.push({ ...base, principal_type: 'user', ...userCols(g.user), permission: g.permission });
      for (const g of r.groups) repoPermRows.push({ ...base, principal_type: 'group', ...groupCols(w, g.group), permission: g.permission });
      for (const b of r.restrictions) {
        const exempt = b.users.map((i) => users[i]).filter((u): u is BitbucketUserRecord => u !== undefined);
        restrictionRows.push({
          ...base,
          restriction_id: String(b.id),
          kind: b.kind,
          branch_match_kind: b.branchMatchKind,
          pattern: b.pattern === '' ? null : b.pattern,
          branch_type: b.branchType,
          value: b.value ?? null,
          exempt_user_uuids: exempt.map((u) => u.uuid),
          exempt_user_account_ids: exempt.flatMap((u) => (u.accountId === null ? [] : [u.accountId])),
          exempt_group_slugs: b.groups.map((g) => w.groups[g]?.slug ?? 'unknown'),
        });
      }
      const ri = String(w.repositories.indexOf(r));
      for (const k of bitbucketDeployKeysOf(model.seed, w, ri, users.length)) keyRows.push(keyRow(w, 'repository', r.uuid, r.fullName, k));
      for (const h of bitbucketWebhooksOf(model.seed, w, ri)) hookRows.push(hookRow(w, r, h));
      for (const v of bitbucketVariablesOf(model.seed, w, ri)) variableRows.push(variableRow(w, r, v));
      variableRows.push(...environmentVariableRows(model.seed, w, r));
    }
  }
  return {
    bitbucket_workspaces: wsRows,
    bitbucket_workspace_members: memberRows,
    bitbucket_projects: projectRows,
    bitbucket_project_permissions: projectPermRows,
    bitbucket_repositories: repoRows,
    bitbucket_repository_permissions: repoPermRows,
    bitbucket_branch_restrictions: restrictionRows,
    bitbucket_deploy_keys: keyRows,
    bitbucket_webhooks: hookRows,
    bitbucket_pipeline_variables: variableRows,
  };
}

/**
 * Requests a perfect client needs at pagelen=100 without faults: `/user/workspaces` pages (unless the
 * workspaces are listed), and per workspace: the workspace, its permissions (members) pages, projects pages,
 * per project its user and group grant pages (one 404 for a vanishing one), repositories pages, and per
 * repository its user grant, group grant and branch restriction pages (one 404 for a vanishing one); then
 * the non-human access lists: per project its deploy keys, per repository its deploy keys, webhooks and
 * pipeline variables, its deployment environments and each environment's variables (simulator/bitbucket-environments.ts),
 * per workspace its webhooks and pipeline variables (one page each at these sizes).
 * An empty list still costs one request.
 */
export function minimumRequests(model: BitbucketModel, scope: BitbucketScope = {}): number {
  const pages = (n: number): number => Math.max(1, Math.ceil(n / 100));
  let n = scope.workspaces?.length ? 0 : pages(model.workspaces.length);
  for (const w of collected(model, scope)) {
    n += 1 + pages(w.members.length) + pages(w.projects.length) + pages(w.repositories.length) + 2;
    for (const p of w.projects) n += p.vanishing ? 1 : pages(p.users.length) + pages(p.groups.length) + 1;
    for (const r of w.repositories) n += r.vanishing ? 1 : pages(r.users.length) + pages(r.groups.length) + pages(r.restrictions.length) + 3 + environmentRequests(model.seed, w, r);
  }
  return n;
}
