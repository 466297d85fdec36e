// Simulated Jira tenant: the tenant's data and its generator (simulator/jira.ts has the overview).
import type { ProductSim } from '../server.ts';
import type { AtlassianQuotaOptions } from '../atlassian-quota.ts';
import type { JiraAuditLog, JiraAuditOptions } from '../jira-audit.ts';
import { hash32, hex8, Rng, scramble32, unit, uuidFrom } from '../random.ts';
import { upmApps, type UpmApp } from '../upm.ts';
import type { ShortPagesOption } from '../paging.ts';
import { generateIssueSecurity, type IssueSecurityModel, type IssueSecurityOptions } from '../jira-issue-security.ts';
import type { People, Person } from '../people.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST, TIME_ZONES, keyFor } from '../names.ts';
import { clampInt } from '../params.ts';

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
  /** The points-based hourly quota, enforced when the simulator runs with `budgets` (simulator/atlassian-quota.ts). */
  quota?: AtlassianQuotaOptions;
  /** The audit log (simulator/jira-audit.ts): background records, or a plan without audit log (403). */
  audit?: JiraAuditOptions;
  seed?: number;
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
  /** Issue-level security (simulator/jira-issue-security.ts). */
  issueSecurity?: IssueSecurityOptions;
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
  /** undefined = field omitted (the spec types it string: never null). */
  value: string | undefined;
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
  /** Issue security schemes, levels, members and project mappings (simulator/jira-issue-security.ts). */
  issueSecurity: IssueSecurityModel;
}

export interface JiraSim extends ProductSim {
  /** The audit log; its rows depend on the window collected: simulator/jira-audit.ts `jiraAuditTruth`. */
  audit: JiraAuditLog;
  /** Table name -> rows, without the `site` and `collected_at` columns. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the maximum page sizes. */
  minimumRequests(): number;
  model: JiraModel;
}

// ---------------------------------------------------------------------------------------------
// Users

/** Names that exercise UTF-8, JSON escaping and emoji surrogate pairs. */
export const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김민준', 'Seán O\'Brien-Smith', 'Dwayne "The Rock" Back\\slash', 'Ngô Bảo Châu', '🦄 Unicorn Team Bot'];
export const APP_NAMES = ['Automation for Jira', 'Slack', 'Jira Cloud for Sheets', 'GitHub for Jira', 'Rovo Dev Agent', 'Opsgenie', 'Statuspage', 'Trello', 'Microsoft Teams', 'Tempo Timesheets'];
export const LOCALES = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'pt_BR', 'es_ES', 'zh_CN', 'pl_PL'];
/** Instance default, returned when a user's own time zone is hidden (User.timeZone description). */
export const INSTANCE_TIME_ZONE = 'Etc/UTC';

export const TYPE_CODES: readonly JiraAccountType[] = ['atlassian', 'app', 'customer'];
export const F_ACTIVE = 1;
export const F_EMAIL_HIDDEN = 2;
export const F_EMAIL_NULL = 4;
export const F_GUEST = 8;
export const F_LOCALE_HIDDEN = 16;
export const F_TZ_HIDDEN = 32;

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

export const SPECIAL_GROUPS = ['jira-software-users', 'jira-admins', 'site-admins', 'jira-servicemanagement-users', 'confluence-users', 'atlassian-addons-admin', 'administrators', 'jira-product-discovery-users'];
export const G_SOFTWARE = 0;
export const G_ADMINS = 1;
export const G_SITE_ADMINS = 2;
export const G_SERVICE = 3;
export const G_EMPTY = 7;
export const GROUP_WORDS_A = ['team', 'squad', 'guild', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
export const GROUP_WORDS_B = ['alpha', 'berlin', 'cobalt', 'delta', 'emea', 'falcon', 'apac', 'platform', 'mobile', 'web', 'infra', 'contractors'];
export const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team', 'ventas/méxico', 'grupa+testowa'];

export const ROLE_DEFS: readonly Omit<JiraRoleRecord, 'id'>[] = [
  { name: 'Administrators', description: 'A project role that represents administrators in a project', admin: true, isDefault: false, roleConfigurable: true },
  { name: 'Developers', description: 'A project role that represents developers in a project', admin: false, isDefault: false, roleConfigurable: true },
  { name: 'Users', description: 'A project role that represents users in a project', admin: false, isDefault: true, roleConfigurable: true },
  { name: 'atlassian-addons-project-access', description: 'A project role that represents Connect add-ons declaring a scope that requires more than read issue permissions', admin: false, isDefault: false, roleConfigurable: false },
  { name: 'Service Desk Team', description: 'Members of the service desk team', admin: false, isDefault: false, roleConfigurable: true },
  { name: 'Viewers', description: 'Read-only access — «lecture seule»', admin: false, isDefault: false, roleConfigurable: true },
];

export const PROJECT_NAMES = ['Apollo', 'Billing Platform', 'Customer Portal', 'Data Lake', 'Edge Gateway', 'Finance Ops', 'Growth Experiments', 'HR Onboarding', 'Identity Service', 'Jupiter Mobile', 'Knowledge Base', 'Données Clients', 'Legal Review', 'Marketing Site', 'Network Ops', '顧客ポータル', 'Order Service', 'Payments', 'Quality Assurance', 'Risk Engine', 'Security Incidents', 'Tax Engine', 'UX Research 🚀', 'Vendor Management', 'Warehouse', 'Yield Analytics', 'Zeta Labs'];

/** Built-in permission keys (description of `~1rest~1api~13~1permissionscheme/get`). */
export const PERMISSIONS = ['ADMINISTER_PROJECTS', 'EDIT_WORKFLOW', 'EDIT_ISSUE_LAYOUT', 'BROWSE_PROJECTS', 'MANAGE_SPRINTS_PERMISSION', 'SERVICEDESK_AGENT', 'VIEW_DEV_TOOLS', 'VIEW_READONLY_WORKFLOW', 'ASSIGNABLE_USER', 'ASSIGN_ISSUES', 'CLOSE_ISSUES', 'CREATE_ISSUES', 'DELETE_ISSUES', 'EDIT_ISSUES', 'LINK_ISSUES', 'MODIFY_REPORTER', 'MOVE_ISSUES', 'RESOLVE_ISSUES', 'SCHEDULE_ISSUES', 'SET_ISSUE_SECURITY', 'TRANSITION_ISSUES', 'MANAGE_WATCHERS', 'VIEW_VOTERS_AND_WATCHERS', 'ADD_COMMENTS', 'DELETE_ALL_COMMENTS', 'DELETE_OWN_COMMENTS', 'EDIT_ALL_COMMENTS', 'EDIT_OWN_COMMENTS', 'CREATE_ATTACHMENTS', 'DELETE_ALL_ATTACHMENTS', 'DELETE_OWN_ATTACHMENTS', 'DELETE_ALL_WORKLOGS', 'DELETE_OWN_WORKLOGS', 'EDIT_ALL_WORKLOGS', 'EDIT_OWN_WORKLOGS', 'WORK_ON_ISSUES'];
export const HOLDER_TYPES = ['anyone', 'applicationRole', 'assignee', 'group', 'groupCustomField', 'projectLead', 'projectRole', 'reporter', 'user', 'userCustomField'] as const;
export const APP_KEYS = ['jira-software', 'jira-servicedesk', 'jira-core'];

export function generateGroups(rng: Rng, seed: number, count: number, users: number, memberships: number, vanishing: number): { groups: JiraGroupRecord[]; membershipCount: number } {
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

export function projectKeyFor(name: string, used: Set<string>): string {
  return keyFor(name, used, 'PRJ');
}

export function generateModel(opts: JiraTenantOptions): JiraModel {
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
    // Value absent, defaultValue absent: clients must map both to null. (Never `value: null`: The Jira Cloud platform
    // REST API, GET /rest/api/3/application-properties, types ApplicationProperty.value as a string.)
    { id: 'jira.lf.text.headingcolour', name: 'Heading colour', desc: 'Look and feel: heading colour', type: 'colour', value: undefined, defaultValue: '#172b4d' },
    { id: 'jira.lf.logo.url', name: 'Logo URL', desc: 'Look and feel: logo', type: 'string', value: undefined, defaultValue: '' },
    { id: 'jira.table.cols.subtasks', name: 'Sub-task columns', desc: 'Columns shown for sub-tasks', type: 'string', value: 'issuetype, status, assignee, progress', defaultValue: undefined },
  ];

  const model: JiraModel = { seed, caps, users, groups, membershipCount, roles, projects, schemes, applicationRoles, properties, apps: upmApps(seed, 'jira'), shortPages: opts.shortPages, issueSecurity: generateIssueSecurity(seed, { users, groups, roles, projects }, opts.issueSecurity) };
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

export function holderRole(roles: JiraRoleRecord[], k: number): JiraHolderRecord {
  const id = String(roles[k]?.id ?? 10002 + k);
  return { type: 'projectRole', parameter: id, value: id, roleIndex: k };
}

export function holderGroup(groups: JiraGroupRecord[], g: number): JiraHolderRecord {
  const group = groups[g];
  return group ? { type: 'group', parameter: group.name, value: group.groupId, groupIndex: g } : { type: 'anyone' };
}
