// Simulated Bitbucket tenant: the tenant's data and its generator (simulator/bitbucket.ts has the overview).
import { createHash } from 'node:crypto';
import type { AccessTokens, ProductSim } from '../server.ts';
import { hash32, hex8, Rng, unit, uuidFrom } from '../random.ts';
import type { People } from '../people.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST } from '../names.ts';
import { clampInt } from '../params.ts';

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

export const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김민준', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash'];
export const WORKSPACE_SLUGS = ['acme', 'acme-platform', 'acme-sandbox'];
export const WORKSPACE_NAMES = ['Acme Corp', 'Acme Plattform — Ünïcode 🚀', 'Acme Sandbox'];
export const GROUP_DEFS: readonly BitbucketGroupRecord[] = [
  { slug: 'administrators', name: 'Administrators' },
  { slug: 'developers', name: 'Developers' },
  { slug: 'contractors', name: 'Contractors' },
  { slug: 'equipe-donnees', name: 'Équipe Données' },
  { slug: 'dev-team-jp', name: '開発チーム' },
  { slug: 'release-managers', name: 'Release managers' },
  { slug: 'on-call', name: 'on-call 🚨' },
  { slug: 'readers', name: 'Readers' },
];
export const PROJECT_NAMES = ['Platform', 'Web', 'Mobile', 'Data', 'Infrastructure', 'Payments', 'Données Clients', '顧客ポータル', 'Security', 'Tools'];
export const REPO_WORDS_A = ['api', 'web', 'core', 'billing', 'auth', 'search', 'infra', 'data', 'mobile', 'docs', 'gateway', 'worker'];
export const REPO_WORDS_B = ['service', 'app', 'lib', 'client', 'pipeline', 'config', 'tools', 'schema', 'ui', 'cli'];
export const GLOBS = ['main', 'master', 'develop', 'release/*', 'hotfix/*', 'feature/**', '*'];
export const BRANCH_TYPES = ['feature', 'bugfix', 'release', 'hotfix', 'development', 'production'];
// `branchrestriction.kind` enum; those that take `users`/`groups` come first.
export const KINDS_WITH_PRINCIPALS = ['push', 'restrict_merges'];
export const KINDS_WITH_VALUE = ['require_approvals_to_merge', 'require_default_reviewer_approvals_to_merge', 'require_passing_builds_to_merge', 'require_commits_behind'];
export const KINDS_PLAIN = ['delete', 'force', 'require_tasks_to_be_completed', 'require_no_changes_requested', 'reset_pullrequest_approvals_on_change', 'smart_reset_pullrequest_approvals', 'require_all_dependencies_merged', 'enforce_merge_checks', 'allow_auto_merge_when_builds_pass', 'require_all_comments_resolved'];
export const REPO_PERMS: readonly BitbucketRepoPermission[] = ['read', 'write', 'admin'];
export const PROJECT_PERMS: readonly BitbucketProjectPermission[] = ['read', 'write', 'create-repo', 'admin'];
export const BASE_TIME = Date.UTC(2019, 0, 1);
export const DAY = 86_400_000;

// Braced UUID as Bitbucket writes them (`{470c176d-...}`).
export function braced(...parts: (string | number)[]): string {
  return `{${uuidFrom(...parts)}}`;
}

export function generateUsers(seed: number, count: number, accountIds: readonly (string | null)[] | undefined, people: People | undefined): BitbucketUserRecord[] {
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

export function pickDistinct(r: Rng, from: readonly number[], k: number): number[] {
  const idx = r.sample(from.length, Math.min(k, from.length));
  return Array.from(idx, (i) => from[i] ?? 0);
}

export function generateModel(opts: BitbucketTenantOptions): BitbucketModel {
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
            // Kinds with a value carry it; the others omit the field (the route never sends the model's null: the spec
            // types `value` as an integer; the draw stays so the seeded tenant is unchanged).
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

export const NH_NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
export const NH_DAY = 86_400_000;

export function sshKey(seed: number, tag: string, ...k: (string | number)[]): { key: string; keyType: string; fingerprint: string; comment: string } {
  const bytes = Buffer.alloc(51);
  bytes.write('\u0000\u0000\u0000\u000bssh-ed25519\u0000\u0000\u0000\u0020', 0, 'latin1');
  for (let i = 0; i < 8; i++) bytes.writeUInt32BE(hash32(seed, tag, ...k, i), 19 + i * 4);
  const comment = `deploy@ci-${hex8(hash32(seed, tag, ...k, 'host')).slice(0, 4)}`;
  const fingerprint = `SHA256:${createHash('sha256').update(bytes).digest('base64').replace(/=+$/, '')}`;
  return { key: `ssh-ed25519 ${bytes.toString('base64')} ${comment}`, keyType: 'ssh-ed25519', fingerprint, comment };
}

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

export const HOOK_TARGETS = ['https://hooks.acme.example/bitbucket', 'https://hooks.slack.com/services/T000/B000', 'https://ci.example-vendor.net/hook?token=tok-', 'https://user:pw@jenkins.acme.example:8443/bitbucket-hook/'];
export const HOOK_EVENTS = ['repo:push', 'pullrequest:created', 'pullrequest:fulfilled', 'repo:updated', 'issue:created'];

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

export const VARIABLE_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN', 'SONAR_HOST', 'DEPLOY_ENV', 'SLACK_WEBHOOK'];
