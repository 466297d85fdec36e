/**
 * Simulated Confluence Cloud tenant: a seeded model (users, groups and memberships, spaces with their
 * permission assignments, space roles and role assignments in the site's space-role mode, audit retention,
 * system info), the REST routes that serve it (v2 `/wiki/api/v2`, v1 `/wiki/rest/api`), the ground truth a
 * perfect collector must produce, and the minimum number of requests such a collector needs.
 *
 * Authority: Atlassian's published Confluence Cloud REST API v2 OpenAPI spec (confluence-v2.json) (pointers `confluence-v2.json#/paths/...`,
 * relative to /wiki/api/v2), confluence-v1.json (pointers `confluence-v1.json#/paths/...`) and the facts sheet
 * README (§3 paging styles C1/C2, §5 endpoints, §10 quirks Q4, Q6, Q10).
 *
 * Memory: users are a few bytes each plus strings derived on demand from (seed, index); memberships are one
 * sorted Int32Array of user indexes per group; JSON is built per request.
 */
import { z } from 'zod';
import type { ProductSim, Route, RouteContext, RouteResult } from './server.ts';
import { hash32, hex8, Rng, scramble32, unit, uuidFrom } from './random.ts';
import { upmApps, upmRoute, upmTruth, type UpmApp } from './upm.ts';
import { atlassianQuota, type AtlassianQuotaOptions } from './atlassian-quota.ts';
import type {
  confluenceGroupMembers,
  confluenceGroups,
  confluenceSettings,
  confluenceSpacePermissions,
  confluenceSpaceRoleAssignments,
  confluenceSpaceRoles,
  confluenceSpaces,
  confluenceUsers,
} from '../functions/confluence.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import type { People, Person } from './people.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST, TIME_ZONES } from './names.ts';

// ---------------------------------------------------------------------------------------------
// Options

export interface ConfluencePageCaps {
  /** Every v2 list: `limit` schema `minimum: 1, maximum: 250` (e.g. `~1spaces/get`); outside it → 400. */
  v2: number;
  /** v1 `/search/user`: "may be restricted by fixed system limits" (no number published; unverified); lowered silently. */
  userSearch: number;
  /** v1 `/group`: default 200, maximum unpublished (unverified); lowered silently. */
  groups: number;
  /** v1 `/group/{groupId}/membersByGroupId`: "400 if given limit is greater than 200". */
  groupMembers: number;
  /** v2 `POST /users-bulk`: `accountIds` `minItems: 1, maxItems: 250` (`components.requestBodies.BulkUsersRequest`). */
  usersBulk: number;
}

export const DEFAULT_CONFLUENCE_PAGE_CAPS: Readonly<ConfluencePageCaps> = { v2: 250, userSearch: 250, groups: 200, groupMembers: 200, usersBulk: 250 };

/** `cql=type=user` "will return up to 10k users" (`confluence-v1.json#/paths/~1wiki~1rest~1api~1search~1user/get`, param `cql`). */
export const CONFLUENCE_USER_SEARCH_WINDOW = 10_000;

export type ConfluenceRoleMode = 'PRE_ROLES' | 'ROLES_TRANSITION' | 'ROLES';

export interface ConfluenceTenantOptions {
  /** The points-based hourly quota, enforced when the simulator runs with `budgets` (simulator/atlassian-quota.ts). */
  quota?: AtlassianQuotaOptions;
  seed?: number;
  /** @default 300 */
  users?: number;
  /** @default 20 */
  groups?: number;
  /** Target number of (group, member) pairs. @default 900 */
  memberships?: number;
  /** Spaces other than personal ones. @default 15 */
  spaces?: number;
  /** Personal spaces (each belongs to one user). @default 5 */
  personalSpaces?: number;
  /** `GET /space-role-mode`. @default 'ROLES_TRANSITION' */
  roleMode?: ConfluenceRoleMode;
  /** Custom space roles besides the system ones. @default 2 */
  customRoles?: number;
  /** Groups listed by `/group` whose members endpoint answers 404 (deleted between the two calls). */
  vanishingGroups?: number;
  /** Spaces listed by `/spaces` whose child endpoints answer 404. */
  vanishingSpaces?: number;
  /** Users the search lists but `users-bulk` no longer returns (account deleted in between). */
  vanishingUsers?: number;
  /** @default { number: 90, units: 'DAYS' } */
  auditRetention?: { number: number; units: string };
  /** `systemInfo.edition`. @default 'premium' */
  edition?: string;
  pageCaps?: Partial<ConfluencePageCaps>;
  /**
   * A population shared with other simulated products: ordinary atlassian accounts (index 6 on, not closed)
   * take these people's account ids, names, e-mails and active state, in order, until they run out. Absent:
   * every user is this tenant's own.
   */
  people?: People;
}

// ---------------------------------------------------------------------------------------------
// Model types

export type ConfluenceAccountStatus = 'active' | 'inactive' | 'closed';

/** One user, derived on demand from (seed, index). */
export interface ConfluenceUserRecord {
  index: number;
  accountId: string;
  /** v2 `AccountType`; closed accounts answer 'unknown' in v2 and '' in v1. */
  accountType: 'atlassian' | 'app' | 'unknown';
  accountStatus: ConfluenceAccountStatus;
  /** The full name, whatever the profile shows. */
  displayName: string;
  publicName: string;
  /** Profile hides the full name: v2 and v1 members show the public name (or v1 null, see `nameNull`). */
  nameHidden: boolean;
  /** v1 renders a hidden name as null rather than the public name. */
  nameNull: boolean;
  /** null when the profile hides it. */
  email: string | null;
  /** v1 renders a hidden e-mail as null rather than "". */
  emailNull: boolean;
  guest: boolean;
  timeZone: string | null;
  vanishing: boolean;
  personalSpaceId: string | null;
}

export interface ConfluenceGroupRecord {
  index: number;
  id: string;
  name: string;
  usageType: 'USERBASE_GROUP' | 'TEAM_COLLABORATION';
  managedBy: 'ADMINS' | 'EXTERNAL' | 'TEAM_MEMBERS' | 'OPEN';
  /** Member user indexes, ascending. */
  members: Int32Array;
  vanishing: boolean;
}

export interface ConfluencePermissionRecord {
  id: string;
  principalType: 'user' | 'group' | 'role';
  principalId: string;
  operation: string;
  targetType: string;
}

export interface ConfluenceRoleAssignmentRecord {
  principalType: 'USER' | 'GROUP' | 'ACCESS_CLASS';
  principalId: string;
  roleIndex: number;
}

export interface ConfluenceSpaceRecord {
  index: number;
  id: string;
  key: string;
  name: string;
  type: 'global' | 'collaboration' | 'knowledge_base' | 'personal' | 'system' | 'onboarding';
  status: 'current' | 'archived';
  authorIndex: number;
  createdAt: string;
  /** Absent for some spaces (optional in SpaceBulk). */
  homepageId: string | undefined;
  vanishing: boolean;
  permissions: ConfluencePermissionRecord[];
  /** Empty in PRE_ROLES mode, and for spaces not yet moved to roles in ROLES_TRANSITION. */
  roleAssignments: ConfluenceRoleAssignmentRecord[];
}

export interface ConfluenceRoleRecord {
  id: string;
  type: 'SYSTEM' | 'CUSTOM';
  name: string;
  description: string;
  spacePermissions: string[];
}

export interface ConfluenceModel {
  seed: number;
  caps: ConfluencePageCaps;
  users: ConfluenceUsers;
  /** In listing order (by name, as `/group` returns them). */
  groups: ConfluenceGroupRecord[];
  membershipCount: number;
  /** By id ascending, as `/spaces` returns them. */
  spaces: ConfluenceSpaceRecord[];
  roles: ConfluenceRoleRecord[];
  roleMode: ConfluenceRoleMode;
  auditRetention: { number: number; units: string };
  edition: string;
  /** Installed apps, as the Universal Plugin Manager lists them. */
  apps: UpmApp[];
}

export interface ConfluenceSim extends ProductSim {
  /** Table name -> rows, without the `site` and `collected_at` columns. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the maximum page sizes. */
  minimumRequests(): number;
  model: ConfluenceModel;
}

// ---------------------------------------------------------------------------------------------
// Users

// Names that exercise UTF-8, JSON escaping and emoji surrogate pairs.
const UNICODE_NAMES = ['Zoë Ångström', '山田 太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김 민준', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash', 'Ngô Bảo Châu'];
const APP_NAMES = ['Confluence Analytics', 'Slack', 'Microsoft Teams', 'draw.io', 'Gliffy', 'Rovo Agent', 'Comala Document Management', 'Scroll PDF Exporter'];
const FORMER_USER = 'Former user';

const T_APP = 1;
const S_INACTIVE = 1;
const S_CLOSED = 2;
const F_GUEST = 1;
const F_EMAIL_HIDDEN = 2;
const F_EMAIL_NULL = 4;
const F_NAME_HIDDEN = 8;
const F_NAME_NULL = 16;
const F_TZ_HIDDEN = 32;
const F_VANISHING = 64;
const STATUSES: readonly ConfluenceAccountStatus[] = ['active', 'inactive', 'closed'];

/** Users as three bytes each; every string is derived from (seed, index) when asked. */
export class ConfluenceUsers {
  readonly count: number;
  private readonly seed: number;
  private readonly type: Uint8Array;
  private readonly status: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly idKey: number;
  /** Personal space id by owner index. */
  readonly personalSpace = new Map<number, string>();

  private readonly people: People | undefined;
  /** Person of each user (index into `people`), -1 = this tenant's own account. */
  private readonly personOf: Int32Array;

  constructor(seed: number, count: number, vanishing: number, people?: People) {
    this.seed = seed;
    this.count = count;
    this.type = new Uint8Array(count);
    this.status = new Uint8Array(count);
    this.flags = new Uint8Array(count);
    this.idKey = hash32(seed, 'confluence-account-id-key');
    this.people = people;
    this.personOf = new Int32Array(people ? count : 0).fill(-1);
    let next = 0;
    for (let i = 0; i < count; i++) {
      // 0: the collector's own admin account, 1: the limited (viewer) account, 2: an app, 3: a guest,
      // 4: an inactive user with a hidden e-mail, 5: a closed account ("Former user").
      let type = 0;
      let status = 0;
      let f = 0;
      if (i === 2) type = T_APP;
      else if (i === 3) f |= F_GUEST;
      else if (i === 4) status = S_INACTIVE;
      else if (i === 5) status = S_CLOSED;
      else if (i > 5) {
        if (unit(seed, 'c-type', i) < 0.05) type = T_APP;
        const s = unit(seed, 'c-status', i);
        status = s < 0.03 ? S_CLOSED : s < 0.15 ? S_INACTIVE : 0;
        if (type === 0 && unit(seed, 'c-guest', i) < 0.06) f |= F_GUEST;
      }
      // Shared people: ordinary atlassian accounts only, so apps, the fixed 0..5 and "Former user" stay Confluence's own.
      const person = people && i > 5 && type === 0 && status !== S_CLOSED && next < people.count ? people.person(next) : undefined;
      if (person) {
        this.personOf[i] = next++;
        status = person.active ? 0 : S_INACTIVE;
      }
      const hidden = person ? person.email === null : i === 4 || i === 2 || status === S_CLOSED || (i > 5 && unit(seed, 'c-hide', i) < 0.3);
      if (hidden) f |= F_EMAIL_HIDDEN;
      if (i === 4 || unit(seed, 'c-nullstyle', i) < 0.5) f |= F_EMAIL_NULL;
      if (i > 5 && type === 0 && status !== S_CLOSED && unit(seed, 'c-namehide', i) < 0.08) f |= F_NAME_HIDDEN;
      if (unit(seed, 'c-namenull', i) < 0.5) f |= F_NAME_NULL;
      if (i > 1 && unit(seed, 'c-tz', i) < 0.12) f |= F_TZ_HIDDEN;
      this.type[i] = type;
      this.status[i] = status;
      this.flags[i] = f;
    }
    // Vanishing users: spread over the first search window, never one of the fixed accounts.
    const window = Math.min(count, CONFLUENCE_USER_SEARCH_WINDOW);
    const n = Math.min(vanishing, Math.max(0, window - 6));
    for (let k = 0; k < n; k++) {
      const i = 6 + Math.floor(((k + 0.5) * (window - 6)) / n);
      this.flags[i] = (this.flags[i] ?? 0) | F_VANISHING;
    }
  }

  isApp(i: number): boolean {
    return this.type[i] === T_APP;
  }

  isGuest(i: number): boolean {
    return ((this.flags[i] ?? 0) & F_GUEST) !== 0;
  }

  isVanishing(i: number): boolean {
    return ((this.flags[i] ?? 0) & F_VANISHING) !== 0;
  }

  accountStatus(i: number): ConfluenceAccountStatus {
    return STATUSES[this.status[i] ?? 0] ?? 'active';
  }

  /** The shared person user `i` is, if any. */
  private person(i: number): Person | undefined {
    const k = this.personOf[i] ?? -1;
    return k >= 0 ? this.people?.person(k) : undefined;
  }

  /** Unique per index: the scrambled index is embedded, so ids never collide. */
  accountId(i: number): string {
    const shared = this.person(i);
    if (shared) return shared.accountId;
    const tail = hex8(scramble32(i, this.idKey));
    if (this.isApp(i)) return `557058:${uuidFrom(this.seed, 'c-app-id', i).slice(0, 24)}${hex8(hash32(this.seed, 'c-pad', i)).slice(0, 4)}${tail}`;
    if (unit(this.seed, 'c-idstyle', i) < 0.6) return `${hex8(hash32(this.seed, 'c-ida', i))}${hex8(hash32(this.seed, 'c-idb', i))}${tail}`;
    return `712020:${uuidFrom(this.seed, 'c-uid', i).slice(0, 24)}${hex8(hash32(this.seed, 'c-pad', i)).slice(0, 4)}${tail}`;
  }

  /** The full name. */
  displayName(i: number): string {
    if (i === 0) return 'Access Collector';
    if (i === 1) return 'Vera Viewer';
    if (this.status[i] === S_CLOSED) return FORMER_USER;
    const shared = this.person(i);
    if (shared) return shared.name;
    if (this.isApp(i)) {
      const base = APP_NAMES[hash32(this.seed, 'c-app', i) % APP_NAMES.length] ?? 'App';
      return i < 40 ? base : `${base} ${i}`;
    }
    if (i % 23 === 7) return UNICODE_NAMES[Math.floor(i / 23) % UNICODE_NAMES.length] ?? 'Zoë Ångström';
    return `${FIRST[hash32(this.seed, 'c-first', i) % FIRST.length] ?? 'Alex'} ${LAST[hash32(this.seed, 'c-last', i) % LAST.length] ?? 'Doe'}`;
  }

  /** "The public name or nickname of the user. Will always contain a value." */
  publicName(i: number): string {
    const name = this.displayName(i);
    if (this.isApp(i) || name === FORMER_USER) return name;
    return name.split(' ')[0] ?? name;
  }

  email(i: number): string | null {
    if ((this.flags[i] ?? 0) & F_EMAIL_HIDDEN) return null;
    if (i === 0) return 'collector@example.com';
    if (i === 1) return 'viewer@example.com';
    const shared = this.person(i);
    if (shared) return shared.email;
    const slug = this.displayName(i)
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '');
    return `${slug || 'user'}.${i}@${this.isGuest(i) ? 'partner.example.org' : 'example.com'}`;
  }

  get(i: number): ConfluenceUserRecord {
    const f = this.flags[i] ?? 0;
    const closed = this.status[i] === S_CLOSED;
    return {
      index: i,
      accountId: this.accountId(i),
      accountType: closed ? 'unknown' : this.isApp(i) ? 'app' : 'atlassian',
      accountStatus: this.accountStatus(i),
      displayName: this.displayName(i),
      publicName: this.publicName(i),
      nameHidden: (f & F_NAME_HIDDEN) !== 0,
      nameNull: (f & F_NAME_NULL) !== 0,
      email: this.email(i),
      emailNull: (f & F_EMAIL_NULL) !== 0,
      guest: (f & F_GUEST) !== 0,
      timeZone: f & F_TZ_HIDDEN ? null : (TIME_ZONES[hash32(this.seed, 'c-tzv', i) % TIME_ZONES.length] ?? 'Etc/UTC'),
      vanishing: (f & F_VANISHING) !== 0,
      personalSpaceId: this.personalSpace.get(i) ?? null,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Generation

const SPECIAL_GROUPS = ['confluence-users', 'confluence-administrators', 'site-admins', 'administrators', 'atlassian-addons-admin', 'jira-software-users', 'trusted-users'];
const G_USERS = 0;
const G_ADMINS = 1;
const G_ADDONS = 4;
const G_EMPTY = 6;
const GROUP_WORDS_A = ['team', 'squad', 'guild', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
const GROUP_WORDS_B = ['alpha', 'berlin', 'cobalt', 'delta', 'emea', 'falcon', 'apac', 'platform', 'mobile', 'web', 'infra', 'contractors'];
const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team', 'ventas/méxico', 'grupa+testowa'];

const SPACE_NAMES = ['Engineering Handbook', 'Product Requirements', 'Customer Success', 'Données Clients', 'HR & People', 'Legal Review', 'Marketing Launches', 'Platform Architecture', 'Security Incidents 🔒', 'Sales Playbooks', 'IT Help Desk', '開発ドキュメント', 'Finance Close', 'Design System', 'Release Notes', 'Onboarding', 'Research Lab', 'Team Rituals', 'Vendor Contracts', 'Zeta Archive'];

// Space permission operations (`SpacePermissionAssignment.operation`: key/targetType enums).
const USE_OPS: readonly (readonly [string, string])[] = [
  ['read', 'space'],
  ['create', 'page'],
  ['create', 'blogpost'],
  ['create', 'comment'],
  ['create', 'attachment'],
];
const ADMIN_OPS: readonly (readonly [string, string])[] = [
  ...USE_OPS,
  ['delete', 'page'],
  ['delete', 'blogpost'],
  ['delete', 'comment'],
  ['delete', 'attachment'],
  ['create', 'whiteboard'],
  ['create', 'database'],
  ['create', 'folder'],
  ['export', 'space'],
  ['restrict_content', 'space'],
  ['archive', 'page'],
  ['administer', 'space'],
];

// Access classes (`#/paths/~1space-roles/get`, param `principal-id`: anonymous-users, jsm-project-admins,
// authenticated-users, all-licensed-users, all-product-admins). Role assignments use them as ACCESS_CLASS
// principals; space permission assignments with principal type `role` use the same ids here (how v2 names
// those principals is not documented; unverified).
const ANONYMOUS = 'anonymous-users';
const ALL_LICENSED = 'all-licensed-users';

const SYSTEM_ROLES: readonly Omit<ConfluenceRoleRecord, 'id' | 'type'>[] = [
  { name: 'Admin', description: 'Can administer the space, manage its permissions and everything collaborators can do', spacePermissions: ADMIN_OPS.map(([k, t]) => `${k}/${t}`) },
  { name: 'Collaborator', description: 'Can view, create and edit content', spacePermissions: [...USE_OPS.map(([k, t]) => `${k}/${t}`), 'delete/page', 'delete/comment', 'export/space'] },
  { name: 'Viewer', description: 'Can view content and comment', spacePermissions: ['read/space', 'create/comment'] },
];
const CUSTOM_ROLE_NAMES = ['Legal reviewers — «read only»', 'Release managers 🚀', 'Contractors', 'Auditors', 'Publishers'];

function clampInt(v: number | undefined, def: number, min: number): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.max(min, Math.floor(v));
}

function byName(a: { name: string }, b: { name: string }): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function generateGroups(seed: number, users: ConfluenceUsers, count: number, memberships: number, vanishing: number, pageCap: number): ConfluenceGroupRecord[] {
  const rng = new Rng(hash32(seed, 'confluence-groups'));
  const names: string[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    let name: string;
    if (i < SPECIAL_GROUPS.length) name = SPECIAL_GROUPS[i] ?? `group-${i}`;
    else {
      const g = i - SPECIAL_GROUPS.length;
      name = g % 7 === 3 ? (UNICODE_GROUPS[Math.floor(g / 7) % UNICODE_GROUPS.length] ?? `group-${i}`) : `${rng.pick(GROUP_WORDS_A)}-${rng.pick(GROUP_WORDS_B)}`;
    }
    let unique = name;
    for (let n = 2; used.has(unique.toLowerCase()); n++) unique = `${name}-${n}`;
    used.add(unique.toLowerCase());
    names.push(unique);
  }

  // Member pools: vanishing users are deleted accounts, in no group.
  const humans: number[] = [];
  const apps: number[] = [];
  const everyone: number[] = [];
  for (let i = 0; i < users.count; i++) {
    if (users.isVanishing(i)) continue;
    everyone.push(i);
    if (users.isApp(i)) apps.push(i);
    else if (!users.isGuest(i)) humans.push(i);
  }

  const empty = new Set<number>();
  if (count > G_EMPTY) empty.add(G_EMPTY);
  else if (count >= 3) empty.add(count - 1);
  for (let i = SPECIAL_GROUPS.length; i < count; i++) if ((i - SPECIAL_GROUPS.length) % 11 === 10) empty.add(i);

  const sizes = new Array<number>(count).fill(0);
  let budget = memberships;
  const take = (g: number, want: number, pool: number): void => {
    if (g >= count || empty.has(g)) return;
    const n = Math.max(0, Math.min(want, pool, budget));
    sizes[g] = n;
    budget -= n;
  };
  // 'confluence-users' (the product access group) holds most licensed users: more than one page of members.
  take(G_USERS, Math.floor(memberships * 0.45), humans.length);
  take(G_ADDONS, apps.length, apps.length);
  take(G_ADMINS, Math.max(2, Math.floor(memberships * 0.01)), humans.length);
  // The first generated group has exactly one full page of members: its end needs one more (empty) page.
  take(SPECIAL_GROUPS.length, pageCap, everyone.length);
  const rest: number[] = [];
  for (let g = 0; g < count; g++) if (!empty.has(g) && sizes[g] === 0 && g !== G_ADDONS) rest.push(g);
  const weights = rest.map((g) => Math.exp(3 * unit(seed, 'c-gweight', g)));
  const total = weights.reduce((a, b) => a + b, 0);
  const pool = budget;
  rest.forEach((g, k) => take(g, Math.floor((pool * (weights[k] ?? 0)) / total), everyone.length));

  const vanish = new Set<number>();
  for (let i = count - 1; i >= 0 && vanish.size < vanishing; i--) if (i >= Math.min(SPECIAL_GROUPS.length, count - vanishing)) vanish.add(i);

  const groups = names.map((name, i): ConfluenceGroupRecord => {
    const from = i === G_USERS || i === G_ADMINS ? humans : i === G_ADDONS ? apps : everyone;
    const picks = new Rng(hash32(seed, 'c-members', i)).sample(from.length, sizes[i] ?? 0);
    const members = Int32Array.from(picks, (k) => from[k] ?? 0).sort();
    const managedBy = i === G_ADDONS ? 'ADMINS' : i % 5 === 2 ? 'EXTERNAL' : i % 9 === 8 ? 'OPEN' : i % 7 === 5 ? 'TEAM_MEMBERS' : 'ADMINS';
    return {
      index: i,
      id: uuidFrom(seed, 'confluence-group', i),
      name,
      usageType: managedBy === 'TEAM_MEMBERS' ? 'TEAM_COLLABORATION' : 'USERBASE_GROUP',
      managedBy,
      members,
      vanishing: vanish.has(i),
    };
  });
  return groups.sort(byName);
}

function spaceKeyFor(name: string, used: Set<string>): string {
  const words = name
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .split(/\s+/)
    .filter(Boolean);
  let base = (words.length > 1 ? words.map((w) => w[0]).join('') : (words[0] ?? '').slice(0, 4)).toUpperCase();
  if (base.length < 2) base = 'SP';
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}${n}`;
  used.add(key);
  return key;
}

function generateModel(opts: ConfluenceTenantOptions): ConfluenceModel {
  const seed = clampInt(opts.seed, 1, -Infinity);
  const caps: ConfluencePageCaps = { ...DEFAULT_CONFLUENCE_PAGE_CAPS, ...opts.pageCaps };
  const userCount = clampInt(opts.users, 300, 6);
  const groupCount = clampInt(opts.groups, 20, 0);
  const spaceCount = clampInt(opts.spaces, 15, 0);
  const personalCount = clampInt(opts.personalSpaces, 5, 0);
  const roleMode = opts.roleMode ?? 'ROLES_TRANSITION';
  const users = new ConfluenceUsers(seed, userCount, clampInt(opts.vanishingUsers, 0, 0), opts.people);
  const groups = generateGroups(seed, users, groupCount, clampInt(opts.memberships, 900, 0), Math.min(clampInt(opts.vanishingGroups, 0, 0), groupCount), caps.groupMembers);
  const groupAt = (generationIndex: number): ConfluenceGroupRecord | undefined => groups.find((g) => g.index === generationIndex);

  // ---- roles
  const roles: ConfluenceRoleRecord[] = SYSTEM_ROLES.map((r, k) => ({ id: uuidFrom(seed, 'space-role', k), type: 'SYSTEM', ...r }));
  const customCount = clampInt(opts.customRoles, 2, 0);
  for (let k = 0; k < customCount; k++) {
    const r = new Rng(hash32(seed, 'custom-role', k));
    const perms = ADMIN_OPS.filter((_, j) => j === 0 || r.chance(0.35)).map(([a, t]) => `${a}/${t}`);
    roles.push({
      id: uuidFrom(seed, 'space-role', SYSTEM_ROLES.length + k),
      type: 'CUSTOM',
      name: CUSTOM_ROLE_NAMES[k] ?? `Custom role ${k + 1}`,
      // Every other custom role has an empty description (the field is a plain string, no null).
      description: k % 2 === 0 ? `Custom role ${k + 1}: ${CUSTOM_ROLE_NAMES[k] ?? 'custom'}` : '',
      spacePermissions: perms,
    });
  }
  const R_ADMIN = 0;
  const R_COLLABORATOR = 1;
  const R_VIEWER = 2;

  // Users that can own spaces: active, licensed, not apps.
  const owners: number[] = [];
  for (let i = 0; i < userCount && owners.length < 2000; i++) if (users.accountStatus(i) === 'active' && !users.isApp(i) && !users.isGuest(i)) owners.push(i);

  // ---- spaces: ids ascending in generation order; personal spaces mixed in.
  const kinds: ('g' | 'p')[] = [...Array<'g'>(spaceCount).fill('g'), ...Array<'p'>(personalCount).fill('p')];
  new Rng(hash32(seed, 'space-kinds')).shuffle(kinds);
  const rng = new Rng(hash32(seed, 'confluence-spaces'));
  const usedKeys = new Set<string>();
  const vanishingCount = Math.min(clampInt(opts.vanishingSpaces, 0, 0), spaceCount);
  let nextId = 163_840;
  let permId = 65_537;
  let g = 0;
  let p = 0;
  const spaces: ConfluenceSpaceRecord[] = [];
  for (let s = 0; s < kinds.length; s++) {
    nextId += 1 + rng.int(4096);
    const r = new Rng(hash32(seed, 'space', s));
    const personal = kinds[s] === 'p';
    let owner = owners[r.int(Math.max(1, owners.length))] ?? 0;
    if (personal) {
      // One personal space per user.
      for (let k = p * 7 + 3; k < p * 7 + 3 + owners.length; k++) {
        owner = owners[k % owners.length] ?? 0;
        if (!users.personalSpace.has(owner)) break;
      }
    }
    let name: string;
    let key: string;
    let type: ConfluenceSpaceRecord['type'];
    let status: ConfluenceSpaceRecord['status'] = 'current';
    const gi = g;
    if (personal) {
      name = users.displayName(owner);
      // Personal space keys are '~' plus the owner's account id without punctuation.
      key = `~${users.accountId(owner).replace(/[^A-Za-z0-9]/g, '')}`;
      type = 'personal';
      if (p === 1) status = 'archived';
      users.personalSpace.set(owner, String(nextId));
      p++;
    } else {
      const base = SPACE_NAMES[gi % SPACE_NAMES.length] ?? 'Space';
      name = gi < SPACE_NAMES.length ? base : `${base} ${Math.floor(gi / SPACE_NAMES.length) + 1}`;
      key = spaceKeyFor(name, usedKeys);
      const t = r.next();
      type = gi === 0 ? 'global' : gi === 5 ? 'system' : gi === 8 ? 'onboarding' : t < 0.65 ? 'global' : t < 0.85 ? 'collaboration' : 'knowledge_base';
      if (gi % 5 === 3) status = 'archived';
      g++;
    }
    const isVanishing = !personal && vanishingCount > 0 && gi > 0 && Array.from({ length: vanishingCount }, (_, k) => 1 + Math.floor(((k + 0.5) * (spaceCount - 1)) / vanishingCount)).includes(gi);

    // ---- permission assignments
    const permissions: ConfluencePermissionRecord[] = [];
    const granted = new Set<string>();
    const grant = (principalType: ConfluencePermissionRecord['principalType'], principalId: string, ops: readonly (readonly [string, string])[]): void => {
      for (const [operation, targetType] of ops) {
        const k = `${principalType}:${principalId}:${operation}:${targetType}`;
        if (granted.has(k)) continue;
        granted.add(k);
        permissions.push({ id: String(permId++), principalType, principalId, operation, targetType });
      }
    };
    const userGroup = groupAt(G_USERS);
    const adminGroup = groupAt(G_ADMINS);
    const anonymous = !personal && gi % 4 === 1;
    grant('user', users.accountId(owner), ADMIN_OPS);
    if (!personal) {
      if (adminGroup) grant('group', adminGroup.id, ADMIN_OPS);
      if (userGroup && gi % 6 !== 4) grant('group', userGroup.id, USE_OPS);
      const extraGroups = groups.length ? r.int(3) : 0;
      for (let k = 0; k < extraGroups; k++) grant('group', groups[r.int(groups.length)]?.id ?? '', r.chance(0.5) ? USE_OPS.slice(0, 2) : USE_OPS.slice(0, 1));
      const extraUsers = r.int(5);
      for (let k = 0; k < extraUsers; k++) grant('user', users.accountId(r.int(userCount)), USE_OPS.slice(0, 2));
      if (anonymous) grant('role', ANONYMOUS, USE_OPS.slice(0, 1));
      // The first space is the big one: more than one page of assignments.
      if (gi === 0) for (let k = 0; k < Math.min(150, userCount); k++) grant('user', users.accountId((k * 13 + 7) % userCount), USE_OPS.slice(0, 2));
    } else if (r.chance(0.5) && adminGroup) grant('group', adminGroup.id, USE_OPS.slice(0, 1));

    // ---- role assignments: one role per principal and space.
    const roleAssignments: ConfluenceRoleAssignmentRecord[] = [];
    const migrated = roleMode === 'ROLES' || (roleMode === 'ROLES_TRANSITION' && s % 3 !== 2);
    if (roleMode !== 'PRE_ROLES' && migrated) {
      const seen = new Set<string>();
      const assign = (principalType: ConfluenceRoleAssignmentRecord['principalType'], principalId: string, roleIndex: number): void => {
        const k = `${principalType}:${principalId}`;
        if (seen.has(k) || roleIndex >= roles.length) return;
        seen.add(k);
        roleAssignments.push({ principalType, principalId, roleIndex });
      };
      assign('USER', users.accountId(owner), R_ADMIN);
      if (!personal) {
        if (adminGroup) assign('GROUP', adminGroup.id, R_ADMIN);
        if (userGroup && gi % 6 !== 4) assign('GROUP', userGroup.id, R_COLLABORATOR);
        if (gi % 3 === 0) assign('ACCESS_CLASS', ALL_LICENSED, R_VIEWER);
        if (anonymous) assign('ACCESS_CLASS', ANONYMOUS, R_VIEWER);
        const extra = r.int(4);
        for (let k = 0; k < extra; k++) assign('USER', users.accountId(r.int(userCount)), r.int(roles.length));
        if (groups.length && r.chance(0.5)) assign('GROUP', groups[r.int(groups.length)]?.id ?? '', roles.length > 3 ? 3 + r.int(roles.length - 3) : R_VIEWER);
        if (gi === 0) for (let k = 0; k < Math.min(260, userCount); k++) assign('USER', users.accountId((k * 17 + 11) % userCount), R_VIEWER);
      }
    }

    spaces.push({
      index: s,
      id: String(nextId),
      key,
      name,
      type,
      status,
      authorIndex: owner,
      createdAt: new Date(Date.UTC(2019, 0, 1) + r.int(2200) * 86_400_000 + r.int(86_400_000)).toISOString(),
      homepageId: status === 'archived' && !personal ? undefined : String(nextId * 8 + 3),
      vanishing: isVanishing,
      permissions,
      roleAssignments,
    });
  }

  let membershipCount = 0;
  for (const gr of groups) membershipCount += gr.members.length;
  return {
    seed,
    caps,
    users,
    groups,
    membershipCount,
    spaces,
    roles,
    roleMode,
    auditRetention: opts.auditRetention ?? { number: 90, units: 'DAYS' },
    edition: opts.edition ?? 'premium',
    apps: upmApps(seed, 'confluence'),
  };
}

// ---------------------------------------------------------------------------------------------
// JSON builders (only fields the spec defines)

type Json = Record<string, unknown>;

const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, ...(headers ? { headers } : {}) });

/** v1 error body (confluence-v1.json narrative "Status codes"): `{statusCode, data, message}`. */
export function confluenceV1Error(status: number, message: string): Json {
  return { statusCode: status, data: { authorized: status !== 401 && status !== 403, valid: status < 500, errors: [{ message: { translation: message, args: [] } }], successful: false }, message };
}

const V2_CODES: Record<number, string> = { 400: 'INVALID_REQUEST_PARAMETER', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'TOO_MANY_REQUESTS', 500: 'INTERNAL_SERVER_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE' };

/**
 * v2 error body. confluence-v2.json defines none; this is the shape the v2 API answers with
 * (`{errors: [{status, code, title, detail}]}`, e.g. sphinx-contrib/confluencebuilder#991; unverified in the spec).
 */
export function confluenceV2Error(status: number, title: string): Json {
  return { errors: [{ status, code: V2_CODES[status] ?? 'ERROR', title, detail: null }] };
}

const v1Fail = (status: number, message: string): RouteResult => ({ status, body: confluenceV1Error(status, message) });
const v2Fail = (status: number, title: string): RouteResult => ({ status, body: confluenceV2Error(status, title) });

function profilePicture(accountId: string): Json {
  const h = hex8(hash32(accountId, 'avatar'));
  return { path: `/wiki/aa-avatar/${h}`, width: 48, height: 48, isDefault: h.charCodeAt(0) % 2 === 0 };
}

// v2 `User` (`components.schemas.User`): a hidden e-mail is "", a hidden name shows the public name.
function v2UserJson(u: ConfluenceUserRecord): Json {
  return {
    displayName: u.nameHidden ? u.publicName : u.displayName,
    timeZone: u.timeZone,
    personalSpaceId: u.personalSpaceId,
    isExternalCollaborator: u.guest,
    accountStatus: u.accountStatus,
    accountId: u.accountId,
    email: u.email ?? '',
    accountType: u.accountType,
    publicName: u.publicName,
    profilePicture: profilePicture(u.accountId),
  };
}

// v1 `User` (confluence-v1.json `components.schemas.User`): `accountType` '' when unavailable (closed accounts
// here), `email` "" or null when hidden (Q4), `displayName` null or the public name when hidden, `timeZone` null.
function v1UserJson(base: string, u: ConfluenceUserRecord): Json {
  const out: Json = {
    type: 'known',
    accountId: u.accountId,
    accountType: u.accountType === 'unknown' ? '' : u.accountType,
    email: u.email ?? (u.emailNull ? null : ''),
    publicName: u.publicName,
    profilePicture: profilePicture(u.accountId),
    displayName: u.nameHidden ? (u.nameNull ? null : u.publicName) : u.displayName,
    isExternalCollaborator: u.guest,
    isGuest: u.guest,
    _expandable: { operations: '', personalSpace: '' },
    _links: { self: `${base}/wiki/rest/api/user?accountId=${encodeURIComponent(u.accountId)}` },
  };
  if (u.timeZone !== null) out.timeZone = u.timeZone;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paging

interface V1Paging {
  start: number;
  limit: number;
}

// Non-negative integer query parameter; `null` when malformed.
function intParam(q: URLSearchParams, name: string, def: number): number | null {
  const raw = q.get(name);
  if (raw === null || raw.trim() === '') return def;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

// Style C1 `start`/`limit` (schema `minimum: 0`). Above the cap the endpoint either lowers `limit` silently
// (the response's `limit` shows what was applied) or, where the spec says so, answers 400.
function v1Paging(ctx: RouteContext, def: number, cap: number, above: 'lower' | 'reject'): V1Paging | RouteResult {
  const start = intParam(ctx.query, 'start', 0);
  const limit = intParam(ctx.query, 'limit', def);
  if (start === null) return v1Fail(400, "The 'start' parameter must be a non-negative integer.");
  if (limit === null) return v1Fail(400, "The 'limit' parameter must be a non-negative integer.");
  if (limit > cap && above === 'reject') return v1Fail(400, `The limit parameter must be less than or equal to ${cap}.`);
  return { start, limit: Math.min(limit, cap) };
}

function isResult<T extends object>(x: T | RouteResult): x is RouteResult {
  return 'body' in x && 'status' in x;
}

// A C1 page: `{results, start, limit, size, _links: {base, context, self, next?}}`. `next` (relative to
// `_links.base`, as v1 writes it) is present exactly when items are left; a 'shortPage' fault returns a prefix
// and keeps `next`. `end` caps the visible list (the user search window).
function v1Page<T>(ctx: RouteContext, all: ArrayLike<T>, pg: V1Paging, map: (item: T) => unknown, extra: Json = {}, end = all.length): RouteResult {
  const last = Math.min(end, all.length);
  const slice: T[] = [];
  for (let i = pg.start; i < Math.min(last, pg.start + pg.limit); i++) slice.push(all[i] as T);
  const { items } = ctx.page(slice);
  const next = pg.start + items.length;
  const rel = ctx.path.replace(/^\/wiki/, '');
  const links: Json = { base: `${ctx.baseUrl}/wiki`, context: '/wiki', self: `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}` };
  if (items.length > 0 && next < last) {
    const q = new URLSearchParams(ctx.query);
    q.set('start', String(next));
    q.set('limit', String(pg.limit));
    links.next = `${rel}?${q.toString()}`;
  }
  return ok({ results: items.map(map), start: pg.start, limit: pg.limit, size: items.length, ...extra, _links: links });
}

interface V2Paging {
  offset: number;
  limit: number;
}

const CursorSchema = z.object({ o: z.int().min(0) });

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

// Style C2: `limit` (`minimum: 1, maximum: 250`, default 25; outside → 400) and an opaque `cursor`.
function v2Paging(ctx: RouteContext, cap: number): V2Paging | RouteResult {
  const raw = ctx.query.get('limit');
  const limit = raw === null || raw === '' ? 25 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > cap) return v2Fail(400, `Provided value {${raw ?? ''}} for 'limit' is not valid: it must be between 1 and ${cap}.`);
  const cursor = ctx.query.get('cursor');
  if (cursor === null) return { offset: 0, limit };
  try {
    return { offset: CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).o, limit };
  } catch {
    return v2Fail(400, 'Invalid cursor.');
  }
}

// A C2 page `{results, _links: {next?, base}}` plus the `Link` header. `next` is relative and starts with
// `/wiki` (quirk Q6), on the site and through the gateway alike; it carries every query parameter of the
// request with the new cursor. Neither is present on the last page (narrative "Using the REST API").
function v2Page<T>(ctx: RouteContext, all: readonly T[], pg: V2Paging, map: (item: T) => unknown): RouteResult {
  const { items } = ctx.page(all.slice(pg.offset, pg.offset + pg.limit));
  const next = pg.offset + items.length;
  const links: Json = {};
  const headers: Record<string, string> = {};
  if (items.length > 0 && next < all.length) {
    const q = new URLSearchParams(ctx.query);
    q.set('cursor', encodeCursor(next));
    links.next = `${ctx.path}?${q.toString()}`;
    headers.link = `<${String(links.next)}>; rel="next", <${ctx.baseUrl}/wiki>; rel="base"`;
  }
  links.base = `${ctx.baseUrl}/wiki`;
  return ok({ results: items.map(map), _links: links }, headers);
}

function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

const SPACE_TYPES = new Set(['global', 'collaboration', 'knowledge_base', 'personal', 'system', 'onboarding', 'xflow_sample_space']);
const PRINCIPAL_TYPES = new Set(['USER', 'GROUP', 'ACCESS_CLASS']);
const FILTERS = new Set(['all', 'externalCollaborator', 'none']);
const BulkBody = z.object({ accountIds: z.array(z.string()) });

// ---------------------------------------------------------------------------------------------
// Tenant

export function confluenceTenant(opts: ConfluenceTenantOptions = {}): ConfluenceSim {
  const model = generateModel(opts);
  const { users, groups, spaces, roles, caps } = model;
  const rolesOn = model.roleMode !== 'PRE_ROLES';
  const groupById = new Map(groups.map((gr) => [gr.id, gr]));
  const spaceById = new Map(spaces.map((s) => [s.id, s]));
  const userById = new Map<string, number>();
  for (let i = 0; i < users.count; i++) userById.set(users.accountId(i), i);
  const guests: number[] = [];
  const licensed: number[] = [];
  for (let i = 0; i < users.count; i++) (users.isGuest(i) ? guests : licensed).push(i);
  const everyone = Int32Array.from({ length: users.count }, (_, i) => i);

  /** A space's child endpoint: unknown or vanishing spaces are 404 (spec: "...or the space was not found"). */
  const findSpace = (raw: string): ConfluenceSpaceRecord | RouteResult => {
    if (!/^\d+$/.test(raw)) return v2Fail(400, `Provided value {${raw}} for 'id' is not the correct type. Expected type is long`);
    const s = spaceById.get(raw);
    return !s || s.vanishing ? v2Fail(404, 'Not Found') : s;
  };

  const spaceJson = (s: ConfluenceSpaceRecord): Json => {
    const out: Json = { id: s.id, key: s.key, name: s.name, type: s.type, status: s.status, authorId: users.accountId(s.authorIndex), createdAt: s.createdAt };
    if (s.homepageId !== undefined) out.homepageId = s.homepageId;
    out.currentActiveAlias = s.key;
    out._links = { webui: `/spaces/${encodeURIComponent(s.key)}` };
    return out;
  };

  const roleJson = (r: ConfluenceRoleRecord): Json => ({ id: r.id, type: r.type, name: r.name, description: r.description, spacePermissions: r.spacePermissions });

  const rolesDisabled = (): RouteResult => v2Fail(404, 'Space roles are not enabled on this site.');

  const routes: Route[] = [
    {
      // `confluence-v1.json#/paths/~1wiki~1rest~1api~1user~1current/get` → User.
      method: 'GET',
      path: '/wiki/rest/api/user/current',
      handle: (ctx) => ok(v1UserJson(ctx.baseUrl, users.get(ctx.principal === 'limited' ? 1 : 0))),
    },
    {
      // `confluence-v1.json#/paths/~1wiki~1rest~1api~1audit~1retention/get`: RetentionPeriod; 403 without
      // 'Confluence Administrator'.
      method: 'GET',
      path: '/wiki/rest/api/audit/retention',
      denyLimited: { status: 403, message: 'User is not permitted to view the audit log. Confluence Administrator permission is required.' },
      handle: () => ok({ number: model.auditRetention.number, units: model.auditRetention.units }),
    },
    {
      // `confluence-v1.json#/paths/~1wiki~1rest~1api~1settings~1systemInfo/get`: SystemInfoEntity.
      method: 'GET',
      path: '/wiki/rest/api/settings/systemInfo',
      handle: (ctx) =>
        ok({
          cloudId: uuidFrom('cloudId', model.seed),
          commitHash: hex8(hash32(model.seed, 'commit')) + hex8(hash32(model.seed, 'commit2')),
          baseUrl: `${ctx.baseUrl}/wiki`,
          edition: model.edition,
          siteTitle: 'Acme Confluence — «wiki»',
          defaultLocale: 'en_GB',
          defaultTimeZone: 'Europe/Berlin',
          microsPerimeter: 'commercial',
        }),
    },
    {
      // `#/paths/~1space-role-mode/get`: {mode}.
      method: 'GET',
      path: '/wiki/api/v2/space-role-mode',
      handle: () => ok({ mode: model.roleMode }),
    },
    {
      // `#/paths/~1space-roles/get`: MultiEntityResult<SpaceRole>; filters space-id, role-type, principal-id +
      // principal-type ("if specified, a principal-type must also be specified"). RBAC tenants only: in
      // PRE_ROLES mode it answers 404 (unverified).
      method: 'GET',
      path: '/wiki/api/v2/space-roles',
      paged: true,
      handle: (ctx) => {
        if (!rolesOn) return rolesDisabled();
        const pg = v2Paging(ctx, caps.v2);
        if (isResult(pg)) return pg;
        const roleType = ctx.query.get('role-type');
        const principalId = ctx.query.get('principal-id');
        const principalType = ctx.query.get('principal-type');
        if ((principalId === null) !== (principalType === null)) return v2Fail(400, 'principal-id and principal-type must be specified together.');
        if (principalType !== null && !PRINCIPAL_TYPES.has(principalType)) return v2Fail(400, `Invalid principal-type: ${principalType}`);
        const spaceId = ctx.query.get('space-id');
        if (spaceId !== null && !spaceById.has(spaceId)) return v2Fail(404, 'Not Found');
        let list = roles.filter((r) => roleType === null || r.type === roleType);
        if (principalId !== null) {
          const held = new Set<number>();
          for (const s of spaces) for (const a of s.roleAssignments) if (a.principalType === principalType && a.principalId === principalId) held.add(a.roleIndex);
          list = list.filter((r) => held.has(roles.indexOf(r)));
        }
        return v2Page(ctx, list, pg, roleJson);
      },
    },
    {
      // `#/paths/~1spaces/get`: MultiEntityResult<SpaceBulk>, sorted by id ascending unless `sort`; filters
      // ids, keys, type, status (no filter = every type and status). Only viewable spaces: all of them here.
      method: 'GET',
      path: '/wiki/api/v2/spaces',
      paged: true,
      handle: (ctx) => {
        const pg = v2Paging(ctx, caps.v2);
        if (isResult(pg)) return pg;
        const ids = new Set(listParam(ctx.query, 'ids'));
        const keys = new Set(listParam(ctx.query, 'keys'));
        const type = ctx.query.get('type');
        const status = ctx.query.get('status');
        if (type !== null && !SPACE_TYPES.has(type)) return v2Fail(400, `Invalid value for 'type': ${type}`);
        if (status !== null && status !== 'current' && status !== 'archived') return v2Fail(400, `Invalid value for 'status': ${status}`);
        const sort = ctx.query.get('sort') ?? 'id';
        const field = sort.replace(/^-/, '');
        if (field !== 'id' && field !== 'key' && field !== 'name') return v2Fail(400, `Invalid value for 'sort': ${sort}`);
        let list = spaces.filter((s) => (ids.size === 0 || ids.has(s.id)) && (keys.size === 0 || keys.has(s.key)) && (type === null || s.type === type) && (status === null || s.status === status));
        if (field !== 'id') list = [...list].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0));
        if (sort.startsWith('-')) list = [...list].reverse();
        return v2Page(ctx, list, pg, spaceJson);
      },
    },
    {
      // `#/paths/~1spaces~1{id}/get`.
      method: 'GET',
      path: '/wiki/api/v2/spaces/{id}',
      handle: (ctx) => {
        const s = findSpace(ctx.params.id ?? '');
        return isResult(s) ? s : ok(spaceJson(s));
      },
    },
    {
      // `#/paths/~1spaces~1{id}~1permissions/get`: MultiEntityResult<SpacePermissionAssignment>; 404 when the
      // space is not found (or not viewable).
      method: 'GET',
      path: '/wiki/api/v2/spaces/{id}/permissions',
      paged: true,
      handle: (ctx) => {
        const s = findSpace(ctx.params.id ?? '');
        if (isResult(s)) return s;
        const pg = v2Paging(ctx, caps.v2);
        if (isResult(pg)) return pg;
        return v2Page(ctx, s.permissions, pg, (a) => ({ id: a.id, principal: { type: a.principalType, id: a.principalId }, operation: { key: a.operation, targetType: a.targetType } }));
      },
    },
    {
      // `#/paths/~1spaces~1{id}~1role-assignments/get`: MultiEntityResult<SpaceRoleAssignment>; filters role-id,
      // role-type, principal-id + principal-type. RBAC tenants only (PRE_ROLES: 404, unverified).
      method: 'GET',
      path: '/wiki/api/v2/spaces/{id}/role-assignments',
      paged: true,
      handle: (ctx) => {
        if (!rolesOn) return rolesDisabled();
        const s = findSpace(ctx.params.id ?? '');
        if (isResult(s)) return s;
        const pg = v2Paging(ctx, caps.v2);
        if (isResult(pg)) return pg;
        const roleId = ctx.query.get('role-id');
        const roleType = ctx.query.get('role-type');
        const principalId = ctx.query.get('principal-id');
        const principalType = ctx.query.get('principal-type');
        if ((principalId === null) !== (principalType === null)) return v2Fail(400, 'principal-id and principal-type must be specified together.');
        const list = s.roleAssignments.filter((a) => {
          const role = roles[a.roleIndex];
          return (roleId === null || role?.id === roleId) && (roleType === null || role?.type === roleType) && (principalId === null || (a.principalId === principalId && a.principalType === principalType));
        });
        return v2Page(ctx, list, pg, (a) => ({ principal: { principalType: a.principalType, principalId: a.principalId }, roleId: roles[a.roleIndex]?.id }));
      },
    },
    {
      // `#/paths/~1users-bulk/post`: body `{accountIds}` (minItems 1, maxItems 250; else 400). Unknown ids (and
      // accounts deleted since they were listed) are left out of `results`; the order follows the request.
      method: 'POST',
      path: '/wiki/api/v2/users-bulk',
      handle: (ctx) => {
        let parsed: z.infer<typeof BulkBody>;
        try {
          parsed = BulkBody.parse(JSON.parse(ctx.body || 'null'));
        } catch {
          return v2Fail(400, "Request body must be an object with an 'accountIds' array.");
        }
        if (parsed.accountIds.length < 1 || parsed.accountIds.length > caps.usersBulk) return v2Fail(400, `accountIds must hold between 1 and ${caps.usersBulk} account ids.`);
        const results: Json[] = [];
        for (const id of parsed.accountIds) {
          const i = userById.get(id);
          if (i === undefined || users.isVanishing(i)) continue;
          results.push(v2UserJson(users.get(i)));
        }
        return ok({ results, _links: { base: `${ctx.baseUrl}/wiki` } }, { link: `<${ctx.baseUrl}/wiki>; rel="base"` });
      },
    },
    {
      // `confluence-v1.json#/paths/~1wiki~1rest~1api~1search~1user/get`: SearchPageResponseSearchResult. Only
      // `cql=type=user` is modelled (other CQL answers 400 "cannot be parsed"). sitePermissionTypeFilter: none
      // (default, licensed users only) | externalCollaborator (guests only) | all (Q10). At most the first
      // 10,000 matches are ever returned ("cql=type=user will return up to 10k users"); `totalSize` counts every
      // match (unverified). `limit` is lowered silently to the (unpublished) system limit.
      method: 'GET',
      path: '/wiki/rest/api/search/user',
      paged: true,
      handle: (ctx) => {
        const cql = ctx.query.get('cql');
        if (cql === null || cql.trim() === '') return v1Fail(400, 'The cql parameter is required.');
        if (!/^\s*type\s*=\s*"?user"?\s*$/i.test(cql)) return v1Fail(400, `Could not parse cql : ${cql}`);
        const filter = ctx.query.get('sitePermissionTypeFilter') ?? 'none';
        if (!FILTERS.has(filter)) return v1Fail(400, `Invalid sitePermissionTypeFilter: ${filter}`);
        const pg = v1Paging(ctx, 25, caps.userSearch, 'lower');
        if (isResult(pg)) return pg;
        const list = filter === 'all' ? everyone : filter === 'none' ? licensed : guests;
        return v1Page(
          ctx,
          list,
          pg,
          (i) => {
            const u = users.get(i);
            const user = v1UserJson(ctx.baseUrl, u);
            // Search hides a private full name as null (operation description: "email, profilePicture, displayName,
            // and timeZone" may be null).
            if (u.nameHidden) user.displayName = null;
            return { user, title: u.nameHidden ? u.publicName : u.displayName, excerpt: '', url: `/people/${u.accountId}`, breadcrumbs: [], entityType: 'user', iconCssClass: 'aui-icon content-type-profile', lastModified: '2026-01-01T00:00:00.000Z', score: 0 };
          },
          { totalSize: list.length, cqlQuery: cql, searchDuration: 12 },
          CONFLUENCE_USER_SEARCH_WINDOW,
        );
      },
    },
    {
      // `confluence-v1.json#/paths/~1wiki~1rest~1api~1group/get`: GroupArrayWithLinks, alphabetical by name;
      // limit default 200, lowered silently; accessType user | admin | site-admin.
      method: 'GET',
      path: '/wiki/rest/api/group',
      paged: true,
      handle: (ctx) => {
        const pg = v1Paging(ctx, 200, caps.groups, 'lower');
        if (isResult(pg)) return pg;
        const access = ctx.query.get('accessType');
        if (access !== null && access !== 'user' && access !== 'admin' && access !== 'site-admin') return v1Fail(400, `Invalid accessType: ${access}`);
        const adminNames = access === 'site-admin' ? ['site-admins'] : ['confluence-administrators', 'site-admins', 'administrators'];
        const list = access === null || access === 'user' ? groups : groups.filter((gr) => adminNames.includes(gr.name));
        return v1Page(ctx, list, pg, (gr) => ({ type: 'group', name: gr.name, id: gr.id, usageType: gr.usageType, managedBy: gr.managedBy, _links: { self: `${ctx.baseUrl}/wiki/rest/api/group/by-id?id=${gr.id}` } }));
      },
    },
    {
      // `confluence-v1.json#/paths/~1wiki~1rest~1api~1group~1{groupId}~1membersByGroupId/get`: UserArray; "400 if
      // given limit is greater than 200"; totalSize only with shouldReturnTotalSize=true. The spec lists no 404:
      // an unknown or deleted group answers one here (unverified).
      method: 'GET',
      path: '/wiki/rest/api/group/{groupId}/membersByGroupId',
      paged: true,
      handle: (ctx) => {
        const gr = groupById.get(ctx.params.groupId ?? '');
        if (!gr || gr.vanishing) return v1Fail(404, `No group found with id : ${ctx.params.groupId ?? ''}`);
        const pg = v1Paging(ctx, 200, caps.groupMembers, 'reject');
        if (isResult(pg)) return pg;
        const extra: Json = ctx.query.get('shouldReturnTotalSize') === 'true' ? { totalSize: gr.members.length } : {};
        return v1Page(ctx, gr.members, pg, (i) => v1UserJson(ctx.baseUrl, users.get(i)), extra);
      },
    },
    upmRoute('/wiki/rest/plugins/1.0/', () => model.apps),
  ];

  return {
    name: 'confluence',
    gateway: 'confluence',
    budget: atlassianQuota('confluence', confluenceV2Error, opts.quota),
    routes,
    model,
    // Errors the server itself answers (401, 429, 5xx, the limited account's 403) in the shape of the API
    // the path belongs to: v2 `{errors: [...]}`, v1 `{statusCode, data, message}`.
    errorBody: (status: number, message: string, path: string) => (path.startsWith('/wiki/api/v2/') ? confluenceV2Error(status, message) : confluenceV1Error(status, message)),
    groundTruth: () => groundTruth(model),
    minimumRequests: () => minimumRequests(model),
  };
}

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

type Rows<T> = RowInput<T>[];

const SRC_RETENTION = 'GET /wiki/rest/api/audit/retention';
const SRC_SYSTEM = 'GET /wiki/rest/api/settings/systemInfo';
const SRC_MODE = 'GET /wiki/api/v2/space-role-mode';
const SRC_SEARCH = 'GET /wiki/rest/api/search/user';

export function groundTruth(model: ConfluenceModel): Record<string, Record<string, unknown>[]> {
  const { users, groups, spaces, roles } = model;
  const rolesOn = model.roleMode !== 'PRE_ROLES';

  // The search lists every user (filter all), the first 10,000 only; users-bulk drops vanishing ones.
  const userRows: Rows<typeof confluenceUsers> = [];
  for (let i = 0; i < Math.min(users.count, CONFLUENCE_USER_SEARCH_WINDOW); i++) {
    const u = users.get(i);
    if (u.vanishing) continue;
    userRows.push({
      account_id: u.accountId,
      account_type: u.accountType,
      account_status: u.accountStatus,
      display_name: u.nameHidden ? u.publicName : u.displayName,
      public_name: u.publicName,
      email: u.email,
      is_guest: u.guest,
      personal_space_id: u.personalSpaceId,
      time_zone: u.timeZone,
    });
  }

  const groupRows: Rows<typeof confluenceGroups> = groups.map((gr) => ({ group_id: gr.id, name: gr.name, type: 'group', usage_type: gr.usageType, managed_by: gr.managedBy }));
  const memberRows: Rows<typeof confluenceGroupMembers> = [];
  for (const gr of groups) {
    if (gr.vanishing) continue;
    for (const m of gr.members) {
      const u = users.get(m);
      memberRows.push({
        group_id: gr.id,
        group_name: gr.name,
        account_id: u.accountId,
        account_type: u.accountType === 'unknown' ? null : u.accountType,
        display_name: u.nameHidden ? (u.nameNull ? null : u.publicName) : u.displayName,
        public_name: u.publicName,
        email: u.email,
        is_guest: u.guest,
      });
    }
  }

  const spaceRows: Rows<typeof confluenceSpaces> = spaces.map((s) => ({
    space_id: s.id,
    space_key: s.key,
    name: s.name,
    type: s.type,
    status: s.status,
    author_id: users.accountId(s.authorIndex),
    created_at: s.createdAt,
    homepage_id: s.homepageId ?? null,
  }));
  const permissionRows: Rows<typeof confluenceSpacePermissions> = [];
  const assignmentRows: Rows<typeof confluenceSpaceRoleAssignments> = [];
  for (const s of spaces) {
    if (s.vanishing) continue;
    for (const a of s.permissions) {
      permissionRows.push({ space_id: s.id, space_key: s.key, permission_id: a.id, principal_type: a.principalType, principal_id: a.principalId, operation: a.operation, target_type: a.targetType });
    }
    if (!rolesOn) continue;
    for (const a of s.roleAssignments) {
      assignmentRows.push({ space_id: s.id, space_key: s.key, principal_type: a.principalType, principal_id: a.principalId, role_id: roles[a.roleIndex]?.id ?? '' });
    }
  }
  const roleRows: Rows<typeof confluenceSpaceRoles> = rolesOn
    ? roles.map((r) => ({ role_id: r.id, name: r.name, type: r.type, description: r.description, space_permissions: r.spacePermissions }))
    : [];

  const total = users.count;
  const settingRows: Rows<typeof confluenceSettings> = [
    { key: 'audit.retention.number', value: String(model.auditRetention.number), source: SRC_RETENTION },
    { key: 'audit.retention.units', value: model.auditRetention.units, source: SRC_RETENTION },
    { key: 'system.edition', value: model.edition, source: SRC_SYSTEM },
    { key: 'system.micros_perimeter', value: 'commercial', source: SRC_SYSTEM },
    { key: 'system.site_title', value: 'Acme Confluence — «wiki»', source: SRC_SYSTEM },
    { key: 'system.default_locale', value: 'en_GB', source: SRC_SYSTEM },
    { key: 'system.default_time_zone', value: 'Europe/Berlin', source: SRC_SYSTEM },
    { key: 'space_role_mode', value: model.roleMode, source: SRC_MODE },
    { key: 'users.search_total_size', value: String(total), source: SRC_SEARCH },
    { key: 'users.search_capped', value: String(total >= CONFLUENCE_USER_SEARCH_WINDOW), source: SRC_SEARCH },
  ];

  return {
    confluence_users: userRows,
    confluence_groups: groupRows,
    confluence_group_members: memberRows,
    confluence_spaces: spaceRows,
    confluence_space_permissions: permissionRows,
    confluence_space_roles: roleRows,
    confluence_space_role_assignments: assignmentRows,
    confluence_settings: settingRows,
    confluence_installed_apps: upmTruth(model.apps),
  };
}

/**
 * Requests a perfect client needs at the maximum page sizes, with no faults:
 * user/current + audit/retention + systemInfo + space-role-mode;
 * in ROLES / ROLES_TRANSITION mode: space-roles pages + a second spaces listing + role-assignment pages per space
 * (one 404 per vanishing space);
 * search/user pages (C1: a full last page without a next link needs one more, empty page; the 10,000 window
 * ends the list without asking past it) + one users-bulk per non-empty search page;
 * group pages + member pages per group (one 404 per vanishing group);
 * spaces pages + permission pages per space (C2: the last page has no next link; one 404 per vanishing space).
 */
export function minimumRequests(model: ConfluenceModel): number {
  const { caps } = model;
  const v1 = (n: number, size: number): number => (n === 0 ? 1 : Math.ceil(n / size) + (n % size === 0 ? 1 : 0));
  const v2 = (n: number): number => Math.max(1, Math.ceil(n / caps.v2));
  let n = 4;
  if (model.roleMode !== 'PRE_ROLES') {
    n += v2(model.roles.length) + v2(model.spaces.length);
    for (const s of model.spaces) n += s.vanishing ? 1 : v2(s.roleAssignments.length);
  }
  const listed = Math.min(model.users.count, CONFLUENCE_USER_SEARCH_WINDOW);
  n += model.users.count >= CONFLUENCE_USER_SEARCH_WINDOW ? Math.ceil(CONFLUENCE_USER_SEARCH_WINDOW / caps.userSearch) : v1(listed, caps.userSearch);
  n += Math.ceil(listed / caps.userSearch);
  n += v1(model.groups.length, caps.groups);
  for (const gr of model.groups) n += gr.vanishing ? 1 : v1(gr.members.length, caps.groupMembers);
  n += v2(model.spaces.length);
  for (const s of model.spaces) n += s.vanishing ? 1 : v2(s.permissions.length);
  n += 1; // installed apps (UPM)
  return n;
}
