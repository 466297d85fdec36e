/**
 * Simulated Jira Cloud tenant: a seeded model (users, groups, memberships, application roles,
 * projects, project roles and actors, permission schemes, application properties), the REST routes
 * that serve it, the ground truth a perfect collector must produce, and the minimum number of
 * requests such a collector needs.
 *
 * Authority: Atlassian's published Jira Cloud platform REST API v3 OpenAPI spec (jira-platform-v3.json) (pointers below are relative to
 * `jira-platform-v3.json#/paths/`) and the facts sheet README (§3 paging styles, §4 endpoints,
 * §10 quirks).
 *
 * Memory: users are two bytes each plus strings derived on demand from (seed, index); memberships
 * are one sorted Int32Array of user indexes per group; JSON is built per request.
 */
import { errorBody, type Principal, type ProductSim, type Route, type RouteContext, type RouteResult } from './server.ts';
import { hash32, hex8, Rng, scramble32, unit, uuidFrom } from './random.ts';
import { upmApps, upmRoute, upmTruth, type UpmApp } from './upm.ts';
import { pager, type ShortPagesOption } from './paging.ts';
import { atlassianQuota, type AtlassianQuotaOptions } from './atlassian-quota.ts';
import type {
  jiraApplicationRoles,
  jiraGroupMembers,
  jiraGroups,
  jiraPermissionGrants,
  jiraPermissionSchemes,
  jiraProjectRoleActors,
  jiraProjectRoles,
  jiraProjects,
  jiraSettings,
  jiraUsers,
} from '../functions/jira.tables.ts';
import type { RowInput } from '../shared/schema/table.ts';
import type { People, Person } from './people.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST, TIME_ZONES } from './names.ts';

// ---------------------------------------------------------------------------------------------
// Options

export interface JiraPageCaps {
  /** `users/search` maxResults cap: "limited to 1000" (`~1rest~1api~13~1users~1search/get`). */
  usersSearch: number;
  /** `group/bulk` cap: no maximum in the spec (unverified), default 50; keep configurable. */
  groupBulk: number;
  /** `group/member` cap: "between 1 and 50" (`~1rest~1api~13~1group~1member/get`). */
  groupMember: number;
  /** `project/search` cap: schema `maximum: 100` (`~1rest~1api~13~1project~1search/get`). */
  projectSearch: number;
}

export const DEFAULT_JIRA_PAGE_CAPS: Readonly<JiraPageCaps> = { usersSearch: 1000, groupBulk: 50, groupMember: 50, projectSearch: 100 };

export interface JiraTenantOptions {
  seed?: number;
  /** The points-based hourly quota, enforced when the simulator runs with `budgets` (simulator/atlassian-quota.ts). */
  quota?: AtlassianQuotaOptions;
  users?: number;
  groups?: number;
  memberships?: number;
  projects?: number;
  roles?: number;
  schemes?: number;
  /** Groups listed by group/bulk whose group/member answers 404 (deleted between the two calls). */
  vanishingGroups?: number;
  /** Projects listed by project/search whose child endpoints answer 404. */
  vanishingProjects?: number;
  pageCaps?: Partial<JiraPageCaps>;
  /**
   * Short pages mid-list on the bare-array user lists (`users/search`, `users`) in one of the two readings of
   * `startAt` ({@link ShortPagesOption}; facts sheet quirk Q1). Default: none (full pages, then an empty one).
   */
  shortPages?: ShortPagesOption;
  /** The collecting account may not use the Universal Plugin Manager (not a site admin): its app list answers 403. */
  appsForbidden?: boolean;
  /**
   * Guarantee the nested access paths the effective-permission tests need (see {@link addAccessPaths}):
   * a group of active and inactive members that holds the Administrators project role of the first project,
   * whose scheme grants ADMINISTER_PROJECTS to that role. Off by default (the model is then unchanged).
   */
  accessPaths?: boolean;
  /**
   * A population shared with other simulated products: ordinary atlassian accounts (index 5 on) take these
   * people's account ids, names, e-mails and active state, in order, until they run out. Absent: every user is
   * this tenant's own.
   */
  people?: People;
}

// ---------------------------------------------------------------------------------------------
// Model types

export type JiraAccountType = 'atlassian' | 'app' | 'customer';
export type JiraAppType = 'service' | 'agent' | 'unknown';

/** One user, derived on demand from (seed, index). */
export interface JiraUserRecord {
  index: number;
  accountId: string;
  accountType: JiraAccountType;
  /** Only for accountType 'app'. */
  appType: JiraAppType | undefined;
  displayName: string;
  /** null when the profile hides it. */
  emailAddress: string | null;
  /** How a hidden email is rendered: field omitted, or present as null (spec: "may be returned as null"). */
  hiddenEmailAs: 'absent' | 'null';
  active: boolean;
  /** Only for atlassian accounts. */
  guest: boolean | undefined;
  /** null when hidden by privacy settings (then omitted). */
  locale: string | null;
  timeZone: string;
}

export interface JiraGroupRecord {
  index: number;
  groupId: string;
  name: string;
  /** Member user indexes, ascending (the API orders by hidden username; ours is index order). */
  members: Int32Array;
  vanishing: boolean;
}

export type JiraActorRecord = { id: number; kind: 'user'; userIndex: number; displayName: string } | { id: number; kind: 'group'; groupIndex: number; displayName: string };

export interface JiraProjectRoleRecord {
  roleIndex: number;
  /** Sorted by display name ("The list of actors is sorted by display name", `~1rest~1api~13~1project~1{projectIdOrKey}~1role~1{id}/get`). */
  actors: JiraActorRecord[];
}

export type JiraProjectStatus = 'live' | 'archived' | 'deleted';

export interface JiraProjectRecord {
  index: number;
  id: string;
  key: string;
  name: string;
  projectTypeKey: 'software' | 'business' | 'service_desk';
  style: 'classic' | 'next-gen';
  isPrivate: boolean;
  status: JiraProjectStatus;
  leadIndex: number;
  schemeIndex: number;
  vanishing: boolean;
  uuid: string;
  /** The project's role map, in map order. */
  roles: JiraProjectRoleRecord[];
}

export interface JiraRoleRecord {
  id: number;
  name: string;
  description: string;
  admin: boolean;
  isDefault: boolean;
  roleConfigurable: boolean;
}

export interface JiraHolderRecord {
  type: string;
  parameter?: string;
  value?: string;
  userIndex?: number;
  groupIndex?: number;
  roleIndex?: number;
}

export interface JiraGrantRecord {
  id: number;
  permission: string;
  holder: JiraHolderRecord;
}

export interface JiraSchemeRecord {
  id: number;
  name: string;
  /** Absent for some schemes (the field is optional in PermissionScheme). */
  description: string | undefined;
  grants: JiraGrantRecord[];
}

export interface JiraAppRoleRecord {
  key: string;
  name: string;
  groupIndexes: number[];
  defaultGroupIndexes: number[];
  numberOfSeats: number | undefined;
  remainingSeats: number | undefined;
  userCount: number;
  userCountDescription: string;
  hasUnlimitedSeats: boolean;
  platform: boolean;
  selectedByDefault: boolean;
}

export interface JiraPropertyRecord {
  id: string;
  name: string;
  desc: string;
  type: string;
  /** undefined = field omitted; null = present as null. */
  value: string | null | undefined;
  defaultValue: string | undefined;
  allowedValues?: string[];
}

export interface JiraModel {
  seed: number;
  caps: JiraPageCaps;
  users: JiraUsers;
  groups: JiraGroupRecord[];
  /** Total (group, member) pairs over all groups, vanishing ones included. */
  membershipCount: number;
  roles: JiraRoleRecord[];
  /** Sorted by key, as project/search returns them by default (`orderBy` default `key`). */
  projects: JiraProjectRecord[];
  schemes: JiraSchemeRecord[];
  applicationRoles: JiraAppRoleRecord[];
  properties: JiraPropertyRecord[];
  /** Installed apps, as the Universal Plugin Manager lists them. */
  apps: UpmApp[];
  /** How the bare-array user lists page (simulator/paging.ts); undefined: full pages. */
  shortPages: ShortPagesOption | undefined;
}

export interface JiraSim extends ProductSim {
  /** Table name -> rows, without the `site` and `collected_at` columns. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the maximum page sizes. */
  minimumRequests(): number;
  model: JiraModel;
}

// ---------------------------------------------------------------------------------------------
// Users

/** Names that exercise UTF-8, JSON escaping and emoji surrogate pairs. */
const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김민준', 'Seán O\'Brien-Smith', 'Dwayne "The Rock" Back\\slash', 'Ngô Bảo Châu', '🦄 Unicorn Team Bot'];
const APP_NAMES = ['Automation for Jira', 'Slack', 'Jira Cloud for Sheets', 'GitHub for Jira', 'Rovo Dev Agent', 'Opsgenie', 'Statuspage', 'Trello', 'Microsoft Teams', 'Tempo Timesheets'];
const LOCALES = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'pt_BR', 'es_ES', 'zh_CN', 'pl_PL'];
/** Instance default, returned when a user's own time zone is hidden (User.timeZone description). */
const INSTANCE_TIME_ZONE = 'Etc/UTC';

const TYPE_CODES: readonly JiraAccountType[] = ['atlassian', 'app', 'customer'];
const F_ACTIVE = 1;
const F_EMAIL_HIDDEN = 2;
const F_EMAIL_NULL = 4;
const F_GUEST = 8;
const F_LOCALE_HIDDEN = 16;
const F_TZ_HIDDEN = 32;

/** Users as two bytes each; every string is derived from (seed, index) when asked. */
export class JiraUsers {
  readonly count: number;
  private readonly seed: number;
  private readonly typeCode: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly idKey: number;
  private readonly people: People | undefined;
  /** Person of each user (index into `people`), -1 = this tenant's own account. */
  private readonly personOf: Int32Array;

  constructor(seed: number, count: number, people?: People) {
    this.seed = seed;
    this.count = count;
    this.typeCode = new Uint8Array(count);
    this.flags = new Uint8Array(count);
    this.idKey = hash32(seed, 'account-id-key');
    this.people = people;
    this.personOf = new Int32Array(people ? count : 0).fill(-1);
    let next = 0;
    for (let i = 0; i < count; i++) {
      let type: number;
      let active: boolean;
      if (i < 2) {
        // 0: the collector's own admin account, 1: the limited (viewer) account.
        type = 0;
        active = true;
      } else if (i === 2) {
        type = 1; // guaranteed app user
        active = true;
      } else if (i === 3) {
        type = 2; // guaranteed customer
        active = true;
      } else if (i === 4) {
        type = 0; // guaranteed inactive user with hidden email
        active = false;
      } else {
        const r = unit(seed, 'utype', i);
        type = r < 0.05 ? 1 : r < 0.12 ? 2 : 0;
        active = unit(seed, 'active', i) >= (type === 1 ? 0.05 : 0.12);
      }
      // Shared people: ordinary atlassian accounts only (not the fixed 0..4), so apps and customers stay Jira's own.
      const person = people && type === 0 && i >= 5 && next < people.count ? people.person(next) : undefined;
      if (person) {
        this.personOf[i] = next++;
        active = person.active;
      }
      let f = active ? F_ACTIVE : 0;
      const hidden = person ? person.email === null : i === 4 || type === 1 || (i >= 2 && unit(seed, 'hide', i) < (type === 0 ? 0.3 : 0.1));
      if (hidden) f |= F_EMAIL_HIDDEN;
      if (unit(seed, 'nullstyle', i) < 0.5) f |= F_EMAIL_NULL;
      if (type === 0 && i >= 2 && unit(seed, 'guest', i) < 0.04) f |= F_GUEST;
      if (i >= 2 && unit(seed, 'locale-hide', i) < 0.1) f |= F_LOCALE_HIDDEN;
      if (i >= 2 && unit(seed, 'tz-hide', i) < 0.1) f |= F_TZ_HIDDEN;
      this.typeCode[i] = type;
      this.flags[i] = f;
    }
  }

  accountType(i: number): JiraAccountType {
    return TYPE_CODES[this.typeCode[i] ?? 0] ?? 'atlassian';
  }

  isActive(i: number): boolean {
    return ((this.flags[i] ?? 0) & F_ACTIVE) !== 0;
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
    const type = this.typeCode[i] ?? 0;
    if (type === 1) {
      // App accounts: '557058:<uuid>' as seen for Connect apps; shape otherwise like a uuid.
      return `557058:${uuidFrom(this.seed, 'app-id', i).slice(0, 24)}${hex8(hash32(this.seed, 'pad', i)).slice(0, 4)}${tail}`;
    }
    if (unit(this.seed, 'idstyle', i) < 0.6) {
      // Older accounts: 24 hex digits, e.g. 5b10ac8d82e05b22cc7d4ef5 (User.accountId example).
      return `${hex8(hash32(this.seed, 'ida', i))}${hex8(hash32(this.seed, 'idb', i))}${tail}`;
    }
    return `712020:${uuidFrom(this.seed, 'uid', i).slice(0, 24)}${hex8(hash32(this.seed, 'pad', i)).slice(0, 4)}${tail}`;
  }

  displayName(i: number): string {
    if (i === 0) return 'Access Collector';
    if (i === 1) return 'Vera Viewer';
    const shared = this.person(i);
    if (shared) return shared.name;
    const type = this.typeCode[i] ?? 0;
    if (type === 1) {
      const base = APP_NAMES[hash32(this.seed, 'app', i) % APP_NAMES.length] ?? 'App';
      return i < 2 + APP_NAMES.length * 3 ? base : `${base} ${i}`;
    }
    if (i % 23 === 7) return UNICODE_NAMES[Math.floor(i / 23) % UNICODE_NAMES.length] ?? 'Zoë Ångström';
    const first = FIRST[hash32(this.seed, 'first', i) % FIRST.length] ?? 'Alex';
    const last = LAST[hash32(this.seed, 'last', i) % LAST.length] ?? 'Doe';
    return `${first} ${last}`;
  }

  emailAddress(i: number): string | null {
    const f = this.flags[i] ?? 0;
    if (f & F_EMAIL_HIDDEN) return null;
    if (i === 0) return 'collector@example.com';
    if (i === 1) return 'viewer@example.com';
    const shared = this.person(i);
    if (shared) return shared.email;
    const slug = this.displayName(i)
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '');
    const domain = this.accountType(i) === 'customer' ? 'customer.example.org' : 'example.com';
    return `${slug || 'user'}.${i}@${domain}`;
  }

  get(i: number): JiraUserRecord {
    const f = this.flags[i] ?? 0;
    const type = this.accountType(i);
    const r = unit(this.seed, 'apptype', i);
    return {
      index: i,
      accountId: this.accountId(i),
      accountType: type,
      appType: type === 'app' ? (r < 0.7 ? 'service' : r < 0.9 ? 'agent' : 'unknown') : undefined,
      displayName: this.displayName(i),
      emailAddress: this.emailAddress(i),
      hiddenEmailAs: f & F_EMAIL_NULL ? 'null' : 'absent',
      active: (f & F_ACTIVE) !== 0,
      guest: type === 'atlassian' ? (f & F_GUEST) !== 0 : undefined,
      locale: f & F_LOCALE_HIDDEN ? null : (LOCALES[hash32(this.seed, 'loc', i) % LOCALES.length] ?? 'en_US'),
      timeZone: f & F_TZ_HIDDEN ? INSTANCE_TIME_ZONE : (TIME_ZONES[hash32(this.seed, 'tz', i) % TIME_ZONES.length] ?? INSTANCE_TIME_ZONE),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Generation

const SPECIAL_GROUPS = ['jira-software-users', 'jira-admins', 'site-admins', 'jira-servicemanagement-users', 'confluence-users', 'atlassian-addons-admin', 'administrators', 'jira-product-discovery-users'];
const G_SOFTWARE = 0;
const G_ADMINS = 1;
const G_SITE_ADMINS = 2;
const G_SERVICE = 3;
const G_EMPTY = 7;
const GROUP_WORDS_A = ['team', 'squad', 'guild', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
const GROUP_WORDS_B = ['alpha', 'berlin', 'cobalt', 'delta', 'emea', 'falcon', 'apac', 'platform', 'mobile', 'web', 'infra', 'contractors'];
const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team', 'ventas/méxico', 'grupa+testowa'];

const ROLE_DEFS: readonly Omit<JiraRoleRecord, 'id'>[] = [
  { name: 'Administrators', description: 'A project role that represents administrators in a project', admin: true, isDefault: false, roleConfigurable: true },
  { name: 'Developers', description: 'A project role that represents developers in a project', admin: false, isDefault: false, roleConfigurable: true },
  { name: 'Users', description: 'A project role that represents users in a project', admin: false, isDefault: true, roleConfigurable: true },
  { name: 'atlassian-addons-project-access', description: 'A project role that represents Connect add-ons declaring a scope that requires more than read issue permissions', admin: false, isDefault: false, roleConfigurable: false },
  { name: 'Service Desk Team', description: 'Members of the service desk team', admin: false, isDefault: false, roleConfigurable: true },
  { name: 'Viewers', description: 'Read-only access — «lecture seule»', admin: false, isDefault: false, roleConfigurable: true },
];

const PROJECT_NAMES = ['Apollo', 'Billing Platform', 'Customer Portal', 'Data Lake', 'Edge Gateway', 'Finance Ops', 'Growth Experiments', 'HR Onboarding', 'Identity Service', 'Jupiter Mobile', 'Knowledge Base', 'Données Clients', 'Legal Review', 'Marketing Site', 'Network Ops', '顧客ポータル', 'Order Service', 'Payments', 'Quality Assurance', 'Risk Engine', 'Security Incidents', 'Tax Engine', 'UX Research 🚀', 'Vendor Management', 'Warehouse', 'Yield Analytics', 'Zeta Labs'];

/** Built-in permission keys (description of `~1rest~1api~13~1permissionscheme/get`). */
const PERMISSIONS = ['ADMINISTER_PROJECTS', 'EDIT_WORKFLOW', 'EDIT_ISSUE_LAYOUT', 'BROWSE_PROJECTS', 'MANAGE_SPRINTS_PERMISSION', 'SERVICEDESK_AGENT', 'VIEW_DEV_TOOLS', 'VIEW_READONLY_WORKFLOW', 'ASSIGNABLE_USER', 'ASSIGN_ISSUES', 'CLOSE_ISSUES', 'CREATE_ISSUES', 'DELETE_ISSUES', 'EDIT_ISSUES', 'LINK_ISSUES', 'MODIFY_REPORTER', 'MOVE_ISSUES', 'RESOLVE_ISSUES', 'SCHEDULE_ISSUES', 'SET_ISSUE_SECURITY', 'TRANSITION_ISSUES', 'MANAGE_WATCHERS', 'VIEW_VOTERS_AND_WATCHERS', 'ADD_COMMENTS', 'DELETE_ALL_COMMENTS', 'DELETE_OWN_COMMENTS', 'EDIT_ALL_COMMENTS', 'EDIT_OWN_COMMENTS', 'CREATE_ATTACHMENTS', 'DELETE_ALL_ATTACHMENTS', 'DELETE_OWN_ATTACHMENTS', 'DELETE_ALL_WORKLOGS', 'DELETE_OWN_WORKLOGS', 'EDIT_ALL_WORKLOGS', 'EDIT_OWN_WORKLOGS', 'WORK_ON_ISSUES'];
const HOLDER_TYPES = ['anyone', 'applicationRole', 'assignee', 'group', 'groupCustomField', 'projectLead', 'projectRole', 'reporter', 'user', 'userCustomField'] as const;
const APP_KEYS = ['jira-software', 'jira-servicedesk', 'jira-core'];

function clampInt(v: number | undefined, def: number, min: number): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.max(min, Math.floor(v));
}

function generateGroups(rng: Rng, seed: number, count: number, users: number, memberships: number, vanishing: number): { groups: JiraGroupRecord[]; membershipCount: number } {
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

  // Empty groups: 'jira-product-discovery-users' and every 11th generated one (or the last one of
  // a small tenant), so zero-member groups always exist when there are at least 3 groups.
  const empty = new Set<number>();
  if (count > G_EMPTY) empty.add(G_EMPTY);
  else if (count >= 3) empty.add(count - 1);
  for (let i = SPECIAL_GROUPS.length; i < count; i++) if ((i - SPECIAL_GROUPS.length) % 11 === 10) empty.add(i);

  // Vanishing groups: taken from the end, skipping the well-known ones when possible.
  const vanish = new Set<number>();
  for (let i = count - 1; i >= 0 && vanish.size < vanishing; i--) if (i >= Math.min(SPECIAL_GROUPS.length, count - vanishing)) vanish.add(i);

  const eligible: number[] = [];
  for (let i = 0; i < count; i++) if (!empty.has(i)) eligible.push(i);
  const sizes = new Array<number>(count).fill(0);
  const budget = Math.min(memberships, eligible.length * users);
  // Heavy-tailed sizes; 'jira-software-users' (the default product group) takes about a third.
  const weights = eligible.map((g) => (g === G_SOFTWARE ? 0 : Math.exp(4 * unit(seed, 'gweight', g))));
  const others = weights.reduce((a, b) => a + b, 0);
  eligible.forEach((g, k) => {
    if (g === G_SOFTWARE) weights[k] = Math.max(1, others * 0.5);
  });
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  let assigned = 0;
  eligible.forEach((g, k) => {
    const s = Math.min(users, Math.floor((budget * (weights[k] ?? 0)) / totalWeight));
    sizes[g] = s;
    assigned += s;
  });
  let leftover = budget - assigned;
  const byWeight = eligible.map((g, k) => ({ g, w: weights[k] ?? 0 })).sort((a, b) => b.w - a.w || a.g - b.g);
  while (leftover > 0) {
    let progressed = false;
    for (const { g } of byWeight) {
      if (leftover <= 0) break;
      const room = users - (sizes[g] ?? 0);
      if (room <= 0) continue;
      const add = Math.min(room, Math.max(1, Math.ceil(leftover / byWeight.length)), leftover);
      sizes[g] = (sizes[g] ?? 0) + add;
      leftover -= add;
      progressed = true;
    }
    if (!progressed) break;
  }

  let membershipCount = 0;
  const groups: JiraGroupRecord[] = names.map((name, i) => {
    const members = new Rng(hash32(seed, 'members', i)).sample(users, sizes[i] ?? 0);
    membershipCount += members.length;
    return { index: i, groupId: uuidFrom(seed, 'group', i), name, members, vanishing: vanish.has(i) };
  });
  return { groups, membershipCount };
}

function projectKeyFor(name: string, used: Set<string>): string {
  const words = name
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .split(/\s+/)
    .filter(Boolean);
  let base = words.length > 1 ? words.map((w) => w[0]).join('') : (words[0] ?? '').slice(0, 4);
  base = base.toUpperCase();
  if (base.length < 2) base = 'PRJ';
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}${n}`;
  used.add(key);
  return key;
}

function generateModel(opts: JiraTenantOptions): JiraModel {
  const seed = clampInt(opts.seed, 1, -Infinity);
  const caps: JiraPageCaps = { ...DEFAULT_JIRA_PAGE_CAPS, ...opts.pageCaps };
  const userCount = clampInt(opts.users, 200, 2);
  const groupCount = clampInt(opts.groups, 20, 0);
  const membershipTarget = clampInt(opts.memberships, 600, 0);
  const projectCount = clampInt(opts.projects, 12, 0);
  const roleCount = clampInt(opts.roles, 4, 0);
  const schemeCount = clampInt(opts.schemes, 3, 1);
  const rng = new Rng(hash32(seed, 'jira'));

  const users = new JiraUsers(seed, userCount, opts.people);
  const { groups, membershipCount } = generateGroups(rng, seed, groupCount, userCount, membershipTarget, Math.min(clampInt(opts.vanishingGroups, 0, 0), groupCount));

  const roles: JiraRoleRecord[] = [];
  for (let i = 0; i < roleCount; i++) {
    const def = ROLE_DEFS[i] ?? { name: `Custom Role ${i - ROLE_DEFS.length + 1}`, description: `Custom project role ${i}`, admin: false, isDefault: false, roleConfigurable: true };
    roles.push({ id: 10002 + i, ...def });
  }

  // Users that can lead a project: active atlassian accounts.
  const leaders: number[] = [];
  for (let i = 0; i < userCount && leaders.length < 500; i++) if (users.isActive(i) && users.accountType(i) === 'atlassian') leaders.push(i);
  const apps: number[] = [];
  for (let i = 0; i < userCount && apps.length < 50; i++) if (users.accountType(i) === 'app') apps.push(i);
  const groupIdx = (g: number): number | undefined => (g < groupCount ? g : undefined);

  // ---- permission schemes
  let grantId = 10100;
  const schemes: JiraSchemeRecord[] = [];
  const holderFor = (type: (typeof HOLDER_TYPES)[number], r: Rng): JiraHolderRecord => {
    switch (type) {
      case 'group': {
        if (groupCount === 0) return { type: 'anyone' };
        const g = r.int(groupCount);
        const group = groups[g];
        return group ? { type, parameter: group.name, value: group.groupId, groupIndex: g } : { type: 'anyone' };
      }
      case 'user': {
        const u = r.int(userCount);
        const id = users.accountId(u);
        return { type, parameter: id, value: id, userIndex: u };
      }
      case 'projectRole': {
        if (roleCount === 0) return { type: 'projectLead' };
        const k = r.int(roleCount);
        const id = String(roles[k]?.id ?? 10002);
        return { type, parameter: id, value: id, roleIndex: k };
      }
      case 'applicationRole': {
        // No parameter = any application role (getAllPermissionSchemes description).
        if (r.chance(0.3)) return { type };
        const appKey = r.pick(APP_KEYS);
        return { type, parameter: appKey, value: appKey };
      }
      case 'userCustomField':
        return { type, parameter: 'customfield_10010', value: 'customfield_10010' };
      case 'groupCustomField':
        return { type, parameter: 'customfield_10011', value: 'customfield_10011' };
      default:
        return { type };
    }
  };
  const SCHEME_NAMES = ['Default Permission Scheme', 'Restricted projects', 'Service desk permission scheme', 'Contractors — limited'];
  for (let s = 0; s < schemeCount; s++) {
    const r = new Rng(hash32(seed, 'scheme', s));
    const grants: JiraGrantRecord[] = [];
    const add = (permission: string, holder: JiraHolderRecord): void => {
      grants.push({ id: grantId++, permission, holder });
    };
    if (s === 0) {
      // Covers every holder type at least once.
      add('BROWSE_PROJECTS', { type: 'applicationRole' });
      add('CREATE_ISSUES', { type: 'applicationRole', parameter: 'jira-software', value: 'jira-software' });
      if (roleCount > 0) add('ADMINISTER_PROJECTS', holderRole(roles, 0));
      const admins = groupIdx(G_ADMINS) ?? groupIdx(0);
      if (admins !== undefined) add('ADMINISTER_PROJECTS', holderGroup(groups, admins));
      const sw = groupIdx(G_SOFTWARE);
      if (sw !== undefined) add('EDIT_ISSUES', holderGroup(groups, sw));
      if (roleCount > 1) add('ASSIGNABLE_USER', holderRole(roles, 1));
      add('ASSIGN_ISSUES', { type: 'projectLead' });
      add('CLOSE_ISSUES', { type: 'assignee' });
      add('RESOLVE_ISSUES', { type: 'reporter' });
      add('ADD_COMMENTS', { type: 'anyone' });
      const u = leaders[1] ?? 0;
      add('DELETE_ISSUES', { type: 'user', parameter: users.accountId(u), value: users.accountId(u), userIndex: u });
      add('MODIFY_REPORTER', { type: 'userCustomField', parameter: 'customfield_10010', value: 'customfield_10010' });
      add('TRANSITION_ISSUES', { type: 'groupCustomField', parameter: 'customfield_10011', value: 'customfield_10011' });
      if (roleCount > 2) add('BROWSE_PROJECTS', holderRole(roles, 2));
    } else if (s === 2) {
      add('BROWSE_PROJECTS', { type: 'sd.customer.portal.only' });
      add('SERVICEDESK_AGENT', { type: 'applicationRole', parameter: 'jira-servicedesk', value: 'jira-servicedesk' });
    }
    for (const permission of PERMISSIONS) {
      if (!r.chance(s === 0 ? 0.35 : 0.5)) continue;
      add(permission, holderFor(r.pick(HOLDER_TYPES), r));
    }
    schemes.push({
      id: 10000 + s,
      name: SCHEME_NAMES[s] ?? `Permission scheme ${s + 1}`,
      // One scheme without a description: the field is optional (PermissionScheme, only `name` required).
      description: s === 1 ? undefined : s === 0 ? 'This is the default Permission Scheme. Any new projects that are created will be assigned this scheme.' : `Scheme ${s + 1} – «grants» for ${SCHEME_NAMES[s] ?? 'projects'}`,
      grants,
    });
  }

  // ---- projects
  const vanishingProjects = Math.min(clampInt(opts.vanishingProjects, 0, 0), projectCount);
  const vanishSet = new Set<number>();
  for (let k = 0; k < vanishingProjects; k++) vanishSet.add(Math.floor(((k + 0.5) * projectCount) / vanishingProjects));
  const usedKeys = new Set<string>();
  let actorId = 10100;
  const projects: JiraProjectRecord[] = [];
  for (let p = 0; p < projectCount; p++) {
    const r = new Rng(hash32(seed, 'project', p));
    const baseName = PROJECT_NAMES[p % PROJECT_NAMES.length] ?? 'Project';
    const name = p < PROJECT_NAMES.length ? baseName : `${baseName} ${Math.floor(p / PROJECT_NAMES.length) + 1}`;
    const tr = r.next();
    const projectTypeKey = tr < 0.55 ? 'software' : tr < 0.8 ? 'business' : 'service_desk';
    const style: 'classic' | 'next-gen' = r.chance(0.3) ? 'next-gen' : 'classic';
    const status: JiraProjectStatus = p % 7 === 3 ? 'archived' : p % 7 === 5 ? 'deleted' : 'live';
    const leadIndex = leaders.length ? (leaders[r.int(leaders.length)] ?? 0) : 0;
    // Team-managed projects here drop the last shared role from their map (maps differ per project).
    const mapRoles = roles.map((_, k) => k).filter((k) => !(style === 'next-gen' && roleCount > 3 && k === roleCount - 1));
    const projectRoles: JiraProjectRoleRecord[] = mapRoles.map((k) => {
      const actors: JiraActorRecord[] = [];
      const seenUsers = new Set<number>();
      const seenGroups = new Set<number>();
      const addUser = (u: number): void => {
        if (u < 0 || u >= userCount || seenUsers.has(u)) return;
        seenUsers.add(u);
        actors.push({ id: actorId++, kind: 'user', userIndex: u, displayName: users.displayName(u) });
      };
      const addGroup = (g: number | undefined): void => {
        if (g === undefined || g >= groupCount || seenGroups.has(g)) return;
        seenGroups.add(g);
        actors.push({ id: actorId++, kind: 'group', groupIndex: g, displayName: groups[g]?.name ?? '' });
      };
      if (k === 0) {
        addUser(leadIndex);
        if (r.chance(0.5)) addUser(r.int(userCount));
        if (r.chance(0.5)) addGroup(groupIdx(G_ADMINS));
      } else if (k === 1) {
        // Project 0's Developers always has both a user and a group actor.
        if (p === 0 || r.chance(0.8)) {
          if (groupCount > 0) addGroup(r.int(groupCount));
          const n = p === 0 ? 2 : r.int(4);
          for (let j = 0; j < n; j++) addUser(r.int(userCount));
        }
      } else if (k === 2) {
        if (p !== 0 && r.chance(0.5)) addGroup(groupIdx(G_SOFTWARE));
      } else if (k === 3) {
        if (apps.length && r.chance(0.6)) {
          addUser(apps[r.int(apps.length)] ?? 2);
          if (r.chance(0.5)) addUser(apps[r.int(apps.length)] ?? 2);
        }
      } else if (r.chance(0.3)) addUser(r.int(userCount));
      actors.sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : a.id - b.id));
      return { roleIndex: k, actors };
    });
    projects.push({
      index: p,
      id: String(10000 + p),
      key: projectKeyFor(name, usedKeys),
      name,
      projectTypeKey,
      style,
      isPrivate: p % 5 === 1 || r.chance(0.1),
      status,
      leadIndex,
      schemeIndex: p === 0 ? 0 : r.int(schemeCount),
      vanishing: vanishSet.has(p),
      uuid: uuidFrom(seed, 'project-uuid', p),
      roles: projectRoles,
    });
  }
  projects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  // ---- application roles
  const inGroups = (idx: number[]): number => {
    const mark = new Uint8Array(userCount);
    let n = 0;
    for (const g of idx) {
      for (const u of groups[g]?.members ?? []) {
        if (mark[u] || !users.isActive(u) || users.accountType(u) !== 'atlassian') continue;
        mark[u] = 1;
        n++;
      }
    }
    return n;
  };
  const present = (list: (number | undefined)[]): number[] => [...new Set(list.filter((g): g is number => g !== undefined))];
  const softwareGroups = present([groupIdx(G_SOFTWARE), groupIdx(G_ADMINS), groupIdx(G_SITE_ADMINS), groupIdx(SPECIAL_GROUPS.length + 1)]);
  const serviceGroups = present([groupIdx(G_SERVICE), groupIdx(G_ADMINS)]);
  const softwareUsers = inGroups(softwareGroups);
  const serviceUsers = inGroups(serviceGroups);
  const softwareSeats = Math.max(10, Math.ceil((softwareUsers * 1.2) / 10) * 10);
  const serviceSeats = Math.max(5, serviceUsers + 3);
  const applicationRoles: JiraAppRoleRecord[] = [
    {
      key: 'jira-software',
      name: 'Jira Software',
      groupIndexes: softwareGroups,
      defaultGroupIndexes: present([groupIdx(G_SOFTWARE)]),
      numberOfSeats: softwareSeats,
      remainingSeats: softwareSeats - softwareUsers,
      userCount: softwareUsers,
      userCountDescription: `${softwareUsers} users`,
      hasUnlimitedSeats: false,
      platform: false,
      selectedByDefault: true,
    },
    {
      key: 'jira-servicedesk',
      name: 'Jira Service Management',
      groupIndexes: serviceGroups,
      defaultGroupIndexes: present([groupIdx(G_SERVICE)]),
      numberOfSeats: serviceSeats,
      remainingSeats: serviceSeats - serviceUsers,
      userCount: serviceUsers,
      userCountDescription: `${serviceUsers} agents`,
      hasUnlimitedSeats: false,
      platform: false,
      selectedByDefault: false,
    },
    {
      // The role with no groups. Seat counts omitted when unlimited (unverified; exercises nulls).
      key: 'jira-core',
      name: 'Jira Work Management',
      groupIndexes: [],
      defaultGroupIndexes: [],
      numberOfSeats: undefined,
      remainingSeats: undefined,
      userCount: 0,
      userCountDescription: '0 users',
      hasUnlimitedSeats: true,
      platform: true,
      selectedByDefault: false,
    },
  ];

  const properties: JiraPropertyRecord[] = [
    { id: 'jira.title', name: 'Title', desc: 'The name of this Jira site', type: 'string', value: 'Acme Jira ✨', defaultValue: 'Jira' },
    { id: 'jira.option.allowunassigned', name: 'Allow unassigned issues', desc: 'When turned on, issues can be left unassigned', type: 'boolean', value: 'false', defaultValue: 'false' },
    { id: 'jira.option.emailvisible', name: 'User email visibility', desc: 'Controls how user email addresses are shown', type: 'string', value: 'hide', defaultValue: 'show', allowedValues: ['show', 'hide', 'mask', 'user'] },
    { id: 'jira.option.globalsharing', name: 'Public sharing', desc: 'Allow users to share filters and dashboards publicly', type: 'boolean', value: 'true', defaultValue: 'true' },
    { id: 'jira.mode', name: 'Mode', desc: 'Public mode lets anyone sign up', type: 'string', value: 'private', defaultValue: 'private', allowedValues: ['public', 'private'] },
    { id: 'jira.option.voting', name: 'Voting', desc: 'Allow users to vote on issues', type: 'boolean', value: 'true', defaultValue: 'true' },
    { id: 'jira.projectkey.pattern', name: 'Project key pattern', desc: 'Regular expression for project keys', type: 'string', value: '([A-Z][A-Z0-9]+)', defaultValue: '([A-Z][A-Z]+)' },
    { id: 'jira.clone.prefix', name: 'The prefix added to the Summary field of cloned issues', desc: 'Clone prefix', type: 'string', value: 'CLONE -', defaultValue: 'CLONE -' },
    { id: 'jira.bulk.edit.limit.issue.count', name: 'Bulk edit limit', desc: 'Maximum number of issues in a bulk edit', type: 'number', value: '1000', defaultValue: '1000' },
    // Value present as null, value absent, defaultValue absent: clients must map all to null.
    { id: 'jira.lf.text.headingcolour', name: 'Heading colour', desc: 'Look and feel: heading colour', type: 'colour', value: null, defaultValue: '#172b4d' },
    { id: 'jira.lf.logo.url', name: 'Logo URL', desc: 'Look and feel: logo', type: 'string', value: undefined, defaultValue: '' },
    { id: 'jira.table.cols.subtasks', name: 'Sub-task columns', desc: 'Columns shown for sub-tasks', type: 'string', value: 'issuetype, status, assignee, progress', defaultValue: undefined },
  ];

  const model: JiraModel = { seed, caps, users, groups, membershipCount, roles, projects, schemes, applicationRoles, properties, apps: upmApps(seed, 'jira'), shortPages: opts.shortPages };
  if (opts.accessPaths) addAccessPaths(model);
  return model;
}

/** Name of the group {@link addAccessPaths} puts into the first project's Administrators role. */
export const NESTED_ADMIN_GROUP = 'project-admins-nested';

/**
 * Add, after generation (so the seeded model is otherwise unchanged), a nested path to ADMINISTER_PROJECTS:
 * the second generated group after the well-known ones is renamed {@link NESTED_ADMIN_GROUP}, gets the
 * inactive user 4, the app user 2 and two active atlassian users as members, and becomes a group actor of
 * the Administrators role (role 0) of project index 0, whose scheme (0) grants ADMINISTER_PROJECTS to that
 * role. Scheme 0 already grants through every other holder type (user, group, application role with and
 * without a key, project lead, anyone, reporter, assignee, custom fields). Needs 11+ groups, 1+ role, 1+
 * project and 8+ users; a smaller tenant is left as it is.
 */
export function addAccessPaths(model: JiraModel): void {
  const g = model.groups[SPECIAL_GROUPS.length + 2];
  const project = model.projects.find((p) => p.index === 0);
  const role = project?.roles.find((r) => r.roleIndex === 0);
  if (!g || !project || !role || model.users.count < 8) return;
  g.name = NESTED_ADMIN_GROUP;
  const active: number[] = [];
  for (let i = 5; i < model.users.count && active.length < 2; i++) if (model.users.isActive(i) && model.users.accountType(i) === 'atlassian') active.push(i);
  const members = new Set<number>([...g.members, 2, 4, ...active]);
  model.membershipCount += members.size - g.members.length;
  g.members = Int32Array.from([...members].sort((a, b) => a - b));
  g.vanishing = false;
  if (!role.actors.some((a) => a.kind === 'group' && a.groupIndex === g.index)) {
    const maxId = Math.max(0, ...model.projects.flatMap((p) => p.roles.flatMap((r) => r.actors.map((a) => a.id))));
    role.actors.push({ id: maxId + 1, kind: 'group', groupIndex: g.index, displayName: g.name });
    role.actors.sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : a.id - b.id));
  }
}

function holderRole(roles: JiraRoleRecord[], k: number): JiraHolderRecord {
  const id = String(roles[k]?.id ?? 10002 + k);
  return { type: 'projectRole', parameter: id, value: id, roleIndex: k };
}

function holderGroup(groups: JiraGroupRecord[], g: number): JiraHolderRecord {
  const group = groups[g];
  return group ? { type: 'group', parameter: group.name, value: group.groupId, groupIndex: g } : { type: 'anyone' };
}

// ---------------------------------------------------------------------------------------------
// JSON builders (only fields the spec defines)

type Json = Record<string, unknown>;

function avatarUrls(seed: string): Json {
  const h = hex8(hash32(seed, 'avatar'));
  const base = `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials/${h.slice(0, 2).toUpperCase()}-${h.charCodeAt(2) % 6}.png`;
  return { '48x48': `${base}?size=48&s=48`, '24x24': `${base}?size=24&s=24`, '16x16': `${base}?size=16&s=16`, '32x32': `${base}?size=32&s=32` };
}

/** `User` schema. Hidden email is either omitted or null (User.emailAddress "may be returned as null"). */
function userJson(base: string, u: JiraUserRecord): Json {
  const out: Json = { self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`, accountId: u.accountId, accountType: u.accountType };
  if (u.emailAddress !== null) out.emailAddress = u.emailAddress;
  else if (u.hiddenEmailAs === 'null') out.emailAddress = null;
  out.avatarUrls = avatarUrls(u.accountId);
  out.displayName = u.displayName;
  out.active = u.active;
  out.timeZone = u.timeZone;
  if (u.locale !== null) out.locale = u.locale;
  if (u.guest !== undefined) out.guest = u.guest;
  if (u.appType !== undefined) out.appType = u.appType;
  return out;
}

/** `UserDetails` schema (group/member values). */
function userDetailsJson(base: string, u: JiraUserRecord): Json {
  const out: Json = { self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`, accountId: u.accountId, accountType: u.accountType };
  if (u.emailAddress !== null) out.emailAddress = u.emailAddress;
  else if (u.hiddenEmailAs === 'null') out.emailAddress = null;
  out.avatarUrls = avatarUrls(u.accountId);
  out.displayName = u.displayName;
  out.active = u.active;
  out.timeZone = u.timeZone;
  return out;
}

function groupNameJson(base: string, g: JiraGroupRecord): Json {
  return { name: g.name, groupId: g.groupId, self: `${base}/rest/api/3/group?groupId=${g.groupId}` };
}

// ---------------------------------------------------------------------------------------------
// Routes

const ok = (body: unknown): RouteResult => ({ status: 200, body });
const fail = (status: number, ...messages: string[]): RouteResult => ({ status, body: errorBody(...messages) });

/** Integer query parameter; `null` when malformed. */
function intParam(q: URLSearchParams, name: string, def: number): number | null {
  const raw = q.get(name);
  if (raw === null || raw.trim() === '') return def;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function boolParam(q: URLSearchParams, name: string, def: boolean): boolean {
  const raw = q.get(name);
  if (raw === null) return def;
  return raw.toLowerCase() === 'true';
}

/** All values of a repeatable parameter, also accepting comma-separated lists. */
function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

interface Paging {
  startAt: number;
  maxResults: number;
}

/**
 * startAt/maxResults with the endpoint's cap. Quirk Q2 (facts sheet §10; narrative "Pagination"):
 * a maxResults above the cap is silently lowered and the response's maxResults shows the cap.
 */
function paging(ctx: RouteContext, cap: number): Paging | RouteResult {
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = intParam(ctx.query, 'maxResults', 50);
  if (startAt === null) return fail(400, "The value of 'startAt' must be a non-negative integer.");
  if (maxResults === null) return fail(400, "The value of 'maxResults' must be a non-negative integer.");
  return { startAt, maxResults: Math.min(maxResults, cap) };
}

function isResult(x: Paging | RouteResult): x is RouteResult {
  return 'body' in x;
}

/**
 * Jira PageBean (style J1, facts sheet §3): `{self, nextPage?, maxResults, startAt, total, isLast,
 * values}`. A 'shortPage' fault returns a prefix with isLast false, maxResults unchanged, and
 * nextPage continuing right after the last item returned.
 */
function pageBean<T>(ctx: RouteContext, all: ArrayLike<T>, pg: Paging, map: (item: T) => Json): RouteResult {
  const total = all.length;
  const slice: T[] = [];
  for (let i = pg.startAt; i < Math.min(total, pg.startAt + pg.maxResults); i++) slice.push(all[i] as T);
  const { items, short } = ctx.page(slice);
  const next = pg.startAt + items.length;
  const isLast = !short && next >= total;
  const self = `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}`;
  const body: Json = { self };
  if (!isLast) {
    const q = new URLSearchParams(ctx.query);
    q.set('startAt', String(next));
    body.nextPage = `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
  }
  Object.assign(body, { maxResults: pg.maxResults, startAt: pg.startAt, total, isLast, values: items.map(map) });
  return ok(body);
}

export function jiraTenant(opts: JiraTenantOptions = {}): JiraSim {
  const model = generateModel(opts);
  const { users, groups, projects, roles, schemes, caps } = model;
  const groupById = new Map(groups.map((g) => [g.groupId, g]));
  const groupByName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
  const projectByRef = new Map<string, JiraProjectRecord>();
  for (const p of projects) {
    projectByRef.set(p.id, p);
    projectByRef.set(p.key, p);
  }
  const activeMembers = new Map<number, Int32Array>();
  const activeOf = (g: JiraGroupRecord): Int32Array => {
    let list = activeMembers.get(g.index);
    if (!list) {
      list = g.members.filter((u) => users.isActive(u));
      activeMembers.set(g.index, list);
    }
    return list;
  };

  /** Child endpoints of a project: unknown and vanishing projects are 404. */
  const findProject = (ref: string): JiraProjectRecord | RouteResult => {
    const p = projectByRef.get(ref);
    // Message as Jira words it for an unknown project key (unverified in spec; 404 is documented).
    if (!p || p.vanishing) return fail(404, `No project could be found with key '${ref}'.`);
    return p;
  };

  const schemeJson = (base: string, s: JiraSchemeRecord, expand: string[]): Json => {
    const out: Json = { expand: 'permissions,user,group,projectRole,field,all', id: s.id, self: `${base}/rest/api/3/permissionscheme/${s.id}`, name: s.name };
    if (s.description !== undefined) out.description = s.description;
    // "Note that permissions are included when you specify any value" (expand param of
    // `~1rest~1api~13~1permissionscheme/get` and of the project permissionscheme endpoint).
    if (expand.length === 0) return out;
    const all = expand.includes('all');
    out.permissions = s.grants.map((gr) => {
      const holder: Json = { type: gr.holder.type };
      if (gr.holder.parameter !== undefined) holder.parameter = gr.holder.parameter;
      if (gr.holder.value !== undefined) holder.value = gr.holder.value;
      const g = gr.holder.groupIndex !== undefined ? groups[gr.holder.groupIndex] : undefined;
      if (g && (all || expand.includes('group'))) holder.group = groupNameJson(base, g);
      if (gr.holder.userIndex !== undefined && (all || expand.includes('user'))) holder.user = userJson(base, users.get(gr.holder.userIndex));
      const role = gr.holder.roleIndex !== undefined ? roles[gr.holder.roleIndex] : undefined;
      if (role && (all || expand.includes('projectRole'))) holder.projectRole = { self: `${base}/rest/api/3/role/${role.id}`, name: role.name, id: role.id, description: role.description };
      return { id: gr.id, self: `${base}/rest/api/3/permissionscheme/${s.id}/permission/${gr.id}`, holder, permission: gr.permission };
    });
    return out;
  };

  const projectJson = (base: string, p: JiraProjectRecord, expand: string[]): Json => {
    const out: Json = {
      expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
      self: `${base}/rest/api/3/project/${p.id}`,
      id: p.id,
      key: p.key,
      name: p.name,
      avatarUrls: avatarUrls(p.id),
      projectTypeKey: p.projectTypeKey,
      simplified: p.style === 'next-gen',
      style: p.style,
      isPrivate: p.isPrivate,
      properties: {},
    };
    if (p.style === 'next-gen') out.uuid = p.uuid; // "Unique ID for next-gen projects"
    if (expand.includes('lead')) out.lead = userJson(base, users.get(p.leadIndex));
    // Live projects omit archived/deleted entirely; clients must default them to false.
    if (p.status === 'archived') {
      Object.assign(out, { archived: true, archivedDate: '2025-03-14T09:26:53.000+0000', archivedBy: userJson(base, users.get(0)) });
    }
    if (p.status === 'deleted') {
      Object.assign(out, { deleted: true, deletedDate: '2026-01-05T16:00:00.000+0000', deletedBy: userJson(base, users.get(0)), retentionTillDate: '2026-03-06T16:00:00.000+0000' });
    }
    return out;
  };

  const expandList = (ctx: RouteContext): string[] => listParam(ctx.query, 'expand');

  const routes: Route[] = [
    {
      // `~1rest~1api~13~1serverInfo/get`: anonymous; deploymentType "always returned as Cloud".
      method: 'GET',
      path: '/rest/api/3/serverInfo',
      anonymous: true,
      handle: (ctx) =>
        ok({
          baseUrl: ctx.baseUrl,
          displayUrl: ctx.baseUrl,
          version: '1001.0.0-SNAPSHOT',
          versionNumbers: [1001, 0, 0],
          deploymentType: 'Cloud',
          buildNumber: 100299,
          buildDate: '2026-06-20T00:00:00.000+0000',
          serverTime: new Date().toISOString().replace('Z', '+0000'),
          scmInfo: hex8(hash32(model.seed, 'scm')) + hex8(hash32(model.seed, 'scm2')),
          serverTitle: 'Jira',
          serverTimeZone: INSTANCE_TIME_ZONE,
        }),
    },
    {
      // `~1rest~1api~13~1myself/get` → User.
      method: 'GET',
      path: '/rest/api/3/myself',
      handle: (ctx) => ok(userJson(ctx.baseUrl, users.get(ctx.principal === 'limited' ? 1 : 0))),
    },
    ...['/rest/api/3/users/search', '/rest/api/3/users'].map(
      (path): Route => ({
        // Style J2 (facts sheet §3): bare array, no envelope, no isLast/total; the end is an empty
        // array (quirk Q1). Cap 1000 ("limited to 1000"), silently lowered. Short pages come from
        // the tenant's `shortPages` reading and the 'shortPage' fault. Both paths page one list.
        method: 'GET',
        path,
        paged: true,
        handle: (ctx) => {
          const pg = paging(ctx, caps.usersSearch);
          if (isResult(pg)) return pg;
          const { items } = pager(model.seed, model.shortPages).pageOf(ctx, 'users', users.count, (i) => i, pg.startAt, pg.maxResults);
          return ok(items.map((i) => userJson(ctx.baseUrl, users.get(i))));
        },
      }),
    ),
    {
      // `~1rest~1api~13~1group~1bulk/get`: PageBeanGroupDetails; filters groupId, groupName
      // (repeatable), applicationKey. accessType is accepted and ignored.
      method: 'GET',
      path: '/rest/api/3/group/bulk',
      paged: true,
      handle: (ctx) => {
        const pg = paging(ctx, caps.groupBulk);
        if (isResult(pg)) return pg;
        const ids = new Set(ctx.query.getAll('groupId'));
        const names = new Set(ctx.query.getAll('groupName').map((n) => n.toLowerCase()));
        const appKey = ctx.query.get('applicationKey');
        const appRole = appKey ? model.applicationRoles.find((r) => r.key === appKey) : undefined;
        const list = groups.filter(
          (g) =>
            (ids.size === 0 || ids.has(g.groupId)) &&
            (names.size === 0 || names.has(g.name.toLowerCase())) &&
            (!appKey || (appRole?.groupIndexes.includes(g.index) ?? false)),
        );
        return pageBean(ctx, list, pg, (g) => ({ groupId: g.groupId, name: g.name }));
      },
    },
    {
      // `~1rest~1api~13~1group~1member/get`: PageBeanUserDetails, maxResults "between 1 and 50",
      // includeInactiveUsers default false (inactive members excluded unless true). 403 without
      // Administer Jira. 404 when the group is not found (also for vanishing groups).
      method: 'GET',
      path: '/rest/api/3/group/member',
      paged: true,
      denyLimited: { status: 403, message: 'You do not have permission to view the members of this group.' },
      handle: (ctx) => {
        const groupId = ctx.query.get('groupId');
        const groupname = ctx.query.get('groupname');
        // 400 "Returned if the group name is not specified."
        if (!groupId && !groupname) return fail(400, 'You must specify a group name or a group id.');
        const g = groupId ? groupById.get(groupId) : groupByName.get((groupname ?? '').toLowerCase());
        // Message wording unverified (spec: "Returned if the group is not found").
        if (!g || g.vanishing) return fail(404, 'Group not found.');
        const pg = paging(ctx, caps.groupMember);
        if (isResult(pg)) return pg;
        const members = boolParam(ctx.query, 'includeInactiveUsers', false) ? g.members : activeOf(g);
        return pageBean(ctx, members, pg, (u) => userDetailsJson(ctx.baseUrl, users.get(u)));
      },
    },
    {
      // `~1rest~1api~13~1applicationrole/get`: array of ApplicationRole; 403 for non-admins.
      method: 'GET',
      path: '/rest/api/3/applicationrole',
      denyLimited: { status: 403, message: 'You do not have permission to view application roles.' },
      handle: (ctx) =>
        ok(
          model.applicationRoles.map((r) => {
            const gs = r.groupIndexes.map((g) => groups[g]).filter((g): g is JiraGroupRecord => g !== undefined);
            const ds = r.defaultGroupIndexes.map((g) => groups[g]).filter((g): g is JiraGroupRecord => g !== undefined);
            const out: Json = {
              key: r.key,
              groups: gs.map((g) => g.name),
              groupDetails: gs.map((g) => groupNameJson(ctx.baseUrl, g)),
              name: r.name,
              defaultGroups: ds.map((g) => g.name),
              defaultGroupsDetails: ds.map((g) => groupNameJson(ctx.baseUrl, g)),
              selectedByDefault: r.selectedByDefault,
              defined: false,
            };
            if (r.numberOfSeats !== undefined) out.numberOfSeats = r.numberOfSeats;
            if (r.remainingSeats !== undefined) out.remainingSeats = r.remainingSeats;
            Object.assign(out, { userCount: r.userCount, userCountDescription: r.userCountDescription, hasUnlimitedSeats: r.hasUnlimitedSeats, platform: r.platform });
            return out;
          }),
        ),
    },
    {
      // `~1rest~1api~13~1project~1search/get`: PageBeanProject, maxResults maximum 100 (">100
      // silently becomes 100"), orderBy default key, status (repeatable; we also accept a
      // comma-separated list) default live, expand=lead for the lead. 404 "if no projects matching
      // the search criteria are found" (quirk Q9).
      method: 'GET',
      path: '/rest/api/3/project/search',
      paged: true,
      handle: (ctx) => {
        const pg = paging(ctx, caps.projectSearch);
        if (isResult(pg)) return pg;
        const statuses = listParam(ctx.query, 'status');
        for (const s of statuses) if (s !== 'live' && s !== 'archived' && s !== 'deleted') return fail(400, `Invalid project status: '${s}'.`);
        const wanted = new Set(statuses.length ? statuses : ['live']);
        const ids = new Set(listParam(ctx.query, 'id'));
        const keys = new Set(listParam(ctx.query, 'keys'));
        const text = (ctx.query.get('query') ?? '').toLowerCase();
        const types = new Set(listParam(ctx.query, 'typeKey'));
        let list = projects.filter(
          (p) =>
            wanted.has(p.status) &&
            (ids.size === 0 || ids.has(p.id)) &&
            (keys.size === 0 || keys.has(p.key)) &&
            (!text || p.key.toLowerCase().includes(text) || p.name.toLowerCase().includes(text)) &&
            (types.size === 0 || types.has(p.projectTypeKey)),
        );
        const orderBy = ctx.query.get('orderBy') ?? 'key';
        const desc = orderBy.startsWith('-');
        const field = orderBy.replace(/^[-+]/, '');
        if (field === 'name') list = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        if (desc) list = [...list].reverse();
        if (list.length === 0) return fail(404, 'No projects were found matching the search criteria.');
        const expand = expandList(ctx);
        return pageBean(ctx, list, pg, (p) => projectJson(ctx.baseUrl, p, expand));
      },
    },
    {
      // `~1rest~1api~13~1project~1{projectKeyOrId}~1permissionscheme/get`: PermissionScheme; 403
      // without permission to view the project's configuration; 404 when not found.
      method: 'GET',
      path: '/rest/api/3/project/{projectKeyOrId}/permissionscheme',
      denyLimited: { status: 403, message: "You do not have permission to view this project's configuration." },
      handle: (ctx) => {
        const p = findProject(ctx.params.projectKeyOrId ?? '');
        if (isProjectError(p)) return p;
        const s = schemes[p.schemeIndex];
        if (!s) return fail(404, 'Permission scheme not found.');
        return ok(schemeJson(ctx.baseUrl, s, expandList(ctx)));
      },
    },
    {
      // `~1rest~1api~13~1project~1{projectIdOrKey}~1role/get`: object map roleName → role URL (id =
      // last segment). Denied users get 404 ("...or if the user does not have administrative
      // permissions for the project"); the spec also lists 401 for that case.
      method: 'GET',
      path: '/rest/api/3/project/{projectIdOrKey}/role',
      denyLimited: { status: 404, message: 'You cannot view the roles of this project.' },
      handle: (ctx) => {
        const p = findProject(ctx.params.projectIdOrKey ?? '');
        if (isProjectError(p)) return p;
        const map: Record<string, string> = {};
        for (const pr of p.roles) {
          const role = roles[pr.roleIndex];
          if (role) map[role.name] = `${ctx.baseUrl}/rest/api/3/project/${p.id}/role/${role.id}`;
        }
        return ok(map);
      },
    },
    {
      // `~1rest~1api~13~1project~1{projectIdOrKey}~1role~1{id}/get`: ProjectRole with actors sorted by
      // display name; excludeInactiveUsers default false. 404 when the project or role is not found
      // or the user lacks administrative permission.
      method: 'GET',
      path: '/rest/api/3/project/{projectIdOrKey}/role/{id}',
      denyLimited: { status: 404, message: 'You cannot view the roles of this project.' },
      handle: (ctx) => {
        const p = findProject(ctx.params.projectIdOrKey ?? '');
        if (isProjectError(p)) return p;
        const idText = ctx.params.id ?? '';
        const id = Number(idText);
        if (!/^\d+$/.test(idText)) return fail(400, `Invalid project role id: '${idText}'.`);
        const pr = p.roles.find((x) => roles[x.roleIndex]?.id === id);
        const role = pr ? roles[pr.roleIndex] : undefined;
        if (!pr || !role) return fail(404, `Can not find project role with id: ${idText}`);
        const excludeInactive = boolParam(ctx.query, 'excludeInactiveUsers', false);
        const actors = pr.actors
          .filter((a) => !(excludeInactive && a.kind === 'user' && !users.isActive(a.userIndex)))
          .map((a): Json => {
            if (a.kind === 'user') return { id: a.id, displayName: a.displayName, type: 'atlassian-user-role-actor', actorUser: { accountId: users.accountId(a.userIndex) } };
            const g = groups[a.groupIndex];
            return { id: a.id, displayName: a.displayName, type: 'atlassian-group-role-actor', name: g?.name, actorGroup: { name: g?.name, displayName: g?.name, groupId: g?.groupId } };
          });
        return ok({ self: `${ctx.baseUrl}/rest/api/3/project/${p.id}/role/${role.id}`, name: role.name, id: role.id, description: role.description, actors });
      },
    },
    {
      // `~1rest~1api~13~1role/get`: array of ProjectRole; 403 without Administer Jira. Default
      // actors are omitted (not needed by the collector).
      method: 'GET',
      path: '/rest/api/3/role',
      denyLimited: { status: 403, message: 'You do not have permission to view project roles.' },
      handle: (ctx) =>
        ok(
          roles.map((r) => ({
            self: `${ctx.baseUrl}/rest/api/3/role/${r.id}`,
            name: r.name,
            id: r.id,
            description: r.description,
            admin: r.admin,
            default: r.isDefault,
            roleConfigurable: r.roleConfigurable,
            translatedName: r.name,
          })),
        ),
    },
    {
      // `~1rest~1api~13~1permissionscheme/get`: {permissionSchemes}; grants only with expand.
      method: 'GET',
      path: '/rest/api/3/permissionscheme',
      handle: (ctx) => {
        const expand = expandList(ctx);
        return ok({ permissionSchemes: schemes.map((s) => schemeJson(ctx.baseUrl, s, expand)) });
      },
    },
    {
      // `~1rest~1api~13~1application-properties/get`: array of ApplicationProperty; with `key`, a
      // single object. The spec lists no 403: a caller without Administer Jira gets 404 ("not found
      // or the user does not have permission to view it").
      method: 'GET',
      path: '/rest/api/3/application-properties',
      denyLimited: { status: 404, message: 'You do not have permission to view application properties.' },
      handle: (ctx) => {
        const toJson = (p: JiraPropertyRecord): Json => {
          const out: Json = { id: p.id, key: p.id };
          if (p.value !== undefined) out.value = p.value;
          Object.assign(out, { name: p.name, desc: p.desc, type: p.type });
          if (p.defaultValue !== undefined) out.defaultValue = p.defaultValue;
          if (p.allowedValues) out.allowedValues = p.allowedValues;
          return out;
        };
        const key = ctx.query.get('key');
        if (key) {
          const p = model.properties.find((x) => x.id === key);
          return p ? ok(toJson(p)) : fail(404, `The application property '${key}' was not found.`);
        }
        const filter = ctx.query.get('keyFilter');
        let re: RegExp | null = null;
        if (filter) {
          try {
            re = new RegExp(`^(?:${filter})$`);
          } catch {
            return fail(400, `Invalid keyFilter: '${filter}'.`);
          }
        }
        return ok(model.properties.filter((p) => !re || re.test(p.id)).map(toJson));
      },
    },
    upmRoute('/rest/plugins/1.0/', () => model.apps, { forbidden: opts.appsForbidden === true }),
  ];

  return {
    name: 'jira',
    gateway: 'jira',
    budget: atlassianQuota('jira', (_status, message) => errorBody(message), opts.quota),
    routes,
    model,
    accountIdOf: (principal: Principal) => (principal === 'admin' ? users.accountId(0) : principal === 'limited' ? users.accountId(1) : undefined),
    groundTruth: () => groundTruth(model),
    minimumRequests: () => minimumRequests(model),
  };
}

function isProjectError(p: JiraProjectRecord | RouteResult): p is RouteResult {
  return 'body' in p; // not 'status': projects have a status too
}

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

type Rows<T> = RowInput<T>[];

export function groundTruth(model: JiraModel): Record<string, Record<string, unknown>[]> {
  const { users, groups, projects, roles, schemes } = model;

  const userRecords: JiraUserRecord[] = [];
  const jiraUsersRows: Rows<typeof jiraUsers> = [];
  for (let i = 0; i < users.count; i++) {
    const u = users.get(i);
    userRecords.push(u);
    jiraUsersRows.push({
      account_id: u.accountId,
      account_type: u.accountType,
      display_name: u.displayName,
      email_address: u.emailAddress,
      active: u.active,
      app_type: u.appType ?? null,
      guest: u.guest ?? null,
      locale: u.locale,
      time_zone: u.timeZone,
    });
  }

  const groupRows: Rows<typeof jiraGroups> = groups.map((g) => ({ group_id: g.groupId, name: g.name }));

  const memberRows: Rows<typeof jiraGroupMembers> = [];
  for (const g of groups) {
    if (g.vanishing) continue;
    for (const m of g.members) {
      const u = userRecords[m] ?? users.get(m);
      memberRows.push({ group_id: g.groupId, group_name: g.name, account_id: u.accountId, account_type: u.accountType, display_name: u.displayName, email_address: u.emailAddress, active: u.active });
    }
  }

  const appRoleRows: Rows<typeof jiraApplicationRoles> = [];
  for (const r of model.applicationRoles) {
    const common = {
      role_key: r.key,
      name: r.name,
      number_of_seats: r.numberOfSeats ?? null,
      remaining_seats: r.remainingSeats ?? null,
      user_count: r.userCount,
      has_unlimited_seats: r.hasUnlimitedSeats,
      platform: r.platform,
    };
    const gs = r.groupIndexes.map((g) => groups[g]).filter((g): g is JiraGroupRecord => g !== undefined);
    if (gs.length === 0) appRoleRows.push({ ...common, group_id: null, group_name: null, is_default_group: false });
    for (const g of gs) appRoleRows.push({ ...common, group_id: g.groupId, group_name: g.name, is_default_group: r.defaultGroupIndexes.includes(g.index) });
  }

  const projectRows: Rows<typeof jiraProjects> = [];
  const actorRows: Rows<typeof jiraProjectRoleActors> = [];
  for (const p of projects) {
    if (p.vanishing) continue;
    projectRows.push({
      project_id: p.id,
      project_key: p.key,
      name: p.name,
      project_type_key: p.projectTypeKey,
      style: p.style,
      is_private: p.isPrivate,
      archived: p.status === 'archived',
      deleted: p.status === 'deleted',
      lead_account_id: users.accountId(p.leadIndex),
      permission_scheme_id: String(schemes[p.schemeIndex]?.id ?? ''),
    });
    for (const pr of p.roles) {
      const role = roles[pr.roleIndex];
      if (!role) continue;
      for (const a of pr.actors) {
        const g = a.kind === 'group' ? groups[a.groupIndex] : undefined;
        actorRows.push({
          project_id: p.id,
          project_key: p.key,
          role_id: String(role.id),
          role_name: role.name,
          actor_type: a.kind,
          account_id: a.kind === 'user' ? users.accountId(a.userIndex) : null,
          group_id: g ? g.groupId : null,
          group_name: g ? g.name : null,
        });
      }
    }
  }

  const roleRows: Rows<typeof jiraProjectRoles> = roles.map((r) => ({ role_id: String(r.id), name: r.name, description: r.description, admin: r.admin, is_default: r.isDefault }));
  const schemeRows: Rows<typeof jiraPermissionSchemes> = schemes.map((s) => ({ scheme_id: String(s.id), name: s.name, description: s.description ?? null }));
  const grantRows: Rows<typeof jiraPermissionGrants> = schemes.flatMap((s) =>
    s.grants.map((gr) => ({
      scheme_id: String(s.id),
      grant_id: String(gr.id),
      permission: gr.permission,
      holder_type: gr.holder.type,
      holder_parameter: gr.holder.parameter ?? null,
      holder_value: gr.holder.value ?? null,
    })),
  );
  const settingRows: Rows<typeof jiraSettings> = model.properties.map((p) => ({ key: p.id, value: p.value ?? null, name: p.name, type: p.type, default_value: p.defaultValue ?? null }));

  return {
    jira_users: jiraUsersRows,
    jira_groups: groupRows,
    jira_group_members: memberRows,
    jira_application_roles: appRoleRows,
    jira_projects: projectRows,
    jira_project_roles: roleRows,
    jira_project_role_actors: actorRows,
    jira_permission_schemes: schemeRows,
    jira_permission_grants: grantRows,
    jira_settings: settingRows,
    jira_installed_apps: upmTruth(model.apps),
  };
}

/**
 * Requests a perfect client needs at the maximum page sizes, with no faults:
 * myself + users/search pages (as the server's own next start goes; the final empty page included: J2 has no end flag) + group/bulk
 * pages + group/member pages (members incl. inactive; one 404 per vanishing group) +
 * applicationrole + project/search pages (all statuses) + per live-or-not project (permission
 * scheme + role map + one per role in its map; one 404 per vanishing project) + role +
 * permissionscheme + application-properties.
 */
export function minimumRequests(model: JiraModel): number {
  const { caps } = model;
  const pages = (n: number, cap: number): number => Math.max(1, Math.ceil(n / cap));
  let n = 1; // myself
  n += pager(model.seed, model.shortPages).pages('users', model.users.count, caps.usersSearch) + 1;
  n += pages(model.groups.length, caps.groupBulk);
  for (const g of model.groups) n += g.vanishing ? 1 : pages(g.members.length, caps.groupMember);
  n += 1; // applicationrole
  n += pages(model.projects.length, caps.projectSearch);
  for (const p of model.projects) n += p.vanishing ? 1 : 2 + p.roles.length;
  n += 3; // role, permissionscheme, application-properties
  n += 1; // installed apps (UPM)
  return n;
}
