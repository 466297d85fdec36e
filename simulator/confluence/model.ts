// Simulated Confluence tenant: the tenant's data and its generator (simulator/confluence.ts has the overview).
import type { ProductSim } from '../server.ts';
import type { AtlassianQuotaOptions } from '../atlassian-quota.ts';
import type { ConfluenceAuditLog, ConfluenceAuditOptions } from '../confluence-audit.ts';
import { hash32, hex8, Rng, scramble32, unit, uuidFrom } from '../random.ts';
import { upmApps, type UpmApp } from '../upm.ts';
import type { People, Person } from '../people.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST, TIME_ZONES, keyFor } from '../names.ts';
import { clampInt } from '../params.ts';

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
  /** The audit log (simulator/confluence-audit.ts): background records, or a plan without audit log (403). */
  audit?: ConfluenceAuditOptions;
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
  /** The audit log; its rows depend on the window collected: simulator/confluence-audit.ts `confluenceAuditTruth`. */
  audit: ConfluenceAuditLog;
  /** Table name -> rows, without the `site` and `collected_at` columns. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the maximum page sizes. */
  minimumRequests(): number;
  model: ConfluenceModel;
}

// ---------------------------------------------------------------------------------------------
// Users

// Names that exercise UTF-8, JSON escaping and emoji surrogate pairs.
export const UNICODE_NAMES = ['Zoë Ångström', '山田 太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김 민준', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash', 'Ngô Bảo Châu'];
export const APP_NAMES = ['Confluence Analytics', 'Slack', 'Microsoft Teams', 'draw.io', 'Gliffy', 'Rovo Agent', 'Comala Document Management', 'Scroll PDF Exporter'];
export const FORMER_USER = 'Former user';

export const T_APP = 1;
export const S_INACTIVE = 1;
export const S_CLOSED = 2;
export const F_GUEST = 1;
export const F_EMAIL_HIDDEN = 2;
export const F_EMAIL_NULL = 4;
export const F_NAME_HIDDEN = 8;
export const F_NAME_NULL = 16;
export const F_TZ_HIDDEN = 32;
export const F_VANISHING = 64;
export const STATUSES: readonly ConfluenceAccountStatus[] = ['active', 'inactive', 'closed'];

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

export const SPECIAL_GROUPS = ['confluence-users', 'confluence-administrators', 'site-admins', 'administrators', 'atlassian-addons-admin', 'jira-software-users', 'trusted-users'];
export const G_USERS = 0;
export const G_ADMINS = 1;
export const G_ADDONS = 4;
export const G_EMPTY = 6;
export const GROUP_WORDS_A = ['team', 'squad', 'guild', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
export const GROUP_WORDS_B = ['alpha', 'berlin', 'cobalt', 'delta', 'emea', 'falcon', 'apac', 'platform', 'mobile', 'web', 'infra', 'contractors'];
export const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team', 'ventas/méxico', 'grupa+testowa'];

export const SPACE_NAMES = ['Engineering Handbook', 'Product Requirements', 'Customer Success', 'Données Clients', 'HR & People', 'Legal Review', 'Marketing Launches', 'Platform Architecture', 'Security Incidents 🔒', 'Sales Playbooks', 'IT Help Desk', '開発ドキュメント', 'Finance Close', 'Design System', 'Release Notes', 'Onboarding', 'Research Lab', 'Team Rituals', 'Vendor Contracts', 'Zeta Archive'];

// Space permission operations (`SpacePermissionAssignment.operation`: key/targetType enums).
export const USE_OPS: readonly (readonly [string, string])[] = [
  ['read', 'space'],
  ['create', 'page'],
  ['create', 'blogpost'],
  ['create', 'comment'],
  ['create', 'attachment'],
];
export const ADMIN_OPS: readonly (readonly [string, string])[] = [
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
export const ANONYMOUS = 'anonymous-users';
export const ALL_LICENSED = 'all-licensed-users';

export const SYSTEM_ROLES: readonly Omit<ConfluenceRoleRecord, 'id' | 'type'>[] = [
  { name: 'Admin', description: 'Can administer the space, manage its permissions and everything collaborators can do', spacePermissions: ADMIN_OPS.map(([k, t]) => `${k}/${t}`) },
  { name: 'Collaborator', description: 'Can view, create and edit content', spacePermissions: [...USE_OPS.map(([k, t]) => `${k}/${t}`), 'delete/page', 'delete/comment', 'export/space'] },
  { name: 'Viewer', description: 'Can view content and comment', spacePermissions: ['read/space', 'create/comment'] },
];
export const CUSTOM_ROLE_NAMES = ['Legal reviewers — «read only»', 'Release managers 🚀', 'Contractors', 'Auditors', 'Publishers'];

export function byName(a: { name: string }, b: { name: string }): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function generateGroups(seed: number, users: ConfluenceUsers, count: number, memberships: number, vanishing: number, pageCap: number): ConfluenceGroupRecord[] {
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

export function spaceKeyFor(name: string, used: Set<string>): string {
  return keyFor(name, used, 'SP');
}

export function generateModel(opts: ConfluenceTenantOptions): ConfluenceModel {
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
