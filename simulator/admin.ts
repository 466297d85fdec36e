/**
 * Simulated Atlassian organization (Admin API): a seeded model (the organization, directories, domains,
 * workspaces, policies, groups, users with product access and group memberships, API tokens of managed
 * accounts), the routes that serve it, the ground truth a perfect collector must produce, and the minimum
 * number of requests such a collector needs.
 *
 * Authority: Atlassian's published OpenAPI spec of the Admin organizations API, admin-organizations.json (server https://api.atlassian.com/admin,
 * so its paths are served under `/admin`; pointers below are relative to `admin-organizations.json#/paths/`),
 * admin-user-management.json (server https://api.atlassian.com) and the facts sheet README (§3 styles A1/A2,
 * §7, §9, §10 Q4/Q7). Auth: the org admin API key as Bearer only.
 *
 * Memory: users are a few bytes each in typed arrays, strings derived on demand from (seed, index);
 * memberships are one sorted Int32Array per group plus a per-user index; JSON is built per request.
 */
import type { RouteContext, Route, RouteResult, ProductSim } from './server.ts';
import { hash32, hex8, Rng, scramble32, unit, uuidFrom } from './random.ts';
import { adminRateLimit, type AdminRateLimitOptions } from './atlassian-quota.ts';
import type { RowInput } from '../shared/schema/table.ts';
import type {
  adminApiTokens,
  adminServiceAccountApiTokens,
  adminServiceAccountOauthClients,
  adminServiceAccounts,
  adminDirectories,
  adminDomains,
  adminGroupMembers,
  adminGroupRoleAssignments,
  adminGroups,
  adminOrgs,
  adminPolicies,
  adminPolicyResources,
  adminUserProductAccess,
  adminUsers,
  adminWorkspaces,
} from '../functions/admin.tables.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST } from './names.ts';

// ---------------------------------------------------------------------------------------------
// Options

/** Endpoint families a key can be denied (403 with the spec's body), as for a key without the scope. */
export type AdminEndpoint =
  | 'org'
  | 'directories'
  | 'domains'
  | 'workspaces'
  | 'policies'
  | 'groups'
  | 'users'
  | 'api-tokens'
  /** API Access: the organization's user API token listing. */
  | 'org-api-tokens'
  /** API Access: the service account listing. */
  | 'service-accounts'
  /** API Access: a service account's API tokens and OAuth clients. */
  | 'service-account-credentials';

/** Scope (or permission) the simulator's 403 names per endpoint family, as the spec states it. */
export const ADMIN_ENDPOINT_SCOPES: Readonly<Record<AdminEndpoint, string>> = {
  org: 'read:orgs:admin',
  directories: 'read:directories:admin',
  domains: 'read:domains:admin',
  workspaces: 'read:workspaces:admin',
  policies: 'organization admin',
  groups: 'read:groups:admin',
  users: 'read:directories:admin',
  'api-tokens': 'apiToken.read',
  'org-api-tokens': 'read:tokens:admin',
  'service-accounts': 'read:service-accounts:admin',
  'service-account-credentials': 'read:service-accounts-tokens:admin',
};

export interface AdminTenantOptions {
  /** The per-minute limit per API key, enforced when the simulator runs with `budgets` (simulator/atlassian-quota.ts). */
  rateLimit?: AdminRateLimitOptions;
  seed?: number;
  /** @default derived from the seed */
  orgId?: string;
  /** @default 'Acme Corporation' */
  orgName?: string;
  /** Accounts in the organization directory. @default 300 (min 8: the odd cases come first) */
  users?: number;
  /** @default 30 */
  groups?: number;
  /** Total (group, member) pairs. @default 1200 */
  memberships?: number;
  /** @default 2 */
  directories?: number;
  /** @default 5 */
  domains?: number;
  /** Sites (each a Jira and a Confluence workspace), 1..7; a Bitbucket workspace is added. @default 2 */
  sites?: number;
  /** @default 4 */
  policies?: number;
  /** Managed accounts listed by users/search whose API token request answers 404 (removed in between). */
  vanishingUsers?: number;
  /** Groups listed by groups/search whose role-assignments request answers 404 (deleted in between). */
  vanishingGroups?: number;
  /** Endpoint families that answer 403, as for an API key that lacks their scope. */
  forbidden?: AdminEndpoint[];
  /**
   * Page size the server sets for Admin v1 lists (domains, policies): the spec has no limit parameter and no
   * published size (facts sheet §11, unverified). @default 20
   */
  v1PageSize?: number;
  /** Service accounts of the organization (API Access API). @default 4 */
  serviceAccounts?: number;
  /**
   * Page size the server sets for API Access lists: the reference shows no page-size parameter on the token
   * and service account listings (unverified). @default 100
   */
  accessPageSize?: number;
}

/** v2 `limit`: `minimum: 1, maximum: 100`; defaults: users/search 50, groups/search 20, GET lists 20. */
const V2_MAX = 100;
/** Workspaces `limit`: `minimum: 1, maximum: 1000, default: 20`. */
const WORKSPACES_MAX = 1000;

// ---------------------------------------------------------------------------------------------
// Model types

export type AdminAccountStatus = 'active' | 'inactive' | 'closed';
export type AdminMembershipStatus = 'active' | 'suspended' | 'no_membership';
export type AdminStatus = 'active' | 'suspended' | 'not_invited' | 'deactivated' | 'for_deletion';

export interface AdminDirectoryRecord {
  directoryId: string;
  name: string;
}

export interface AdminDomainRecord {
  id: string;
  name: string;
  /** undefined = no claim object at all. */
  claim: { type?: 'http' | 'dns'; status?: 'verified' | 'unverified' | 'deleted' | 'superseded' | 'missing_token' } | undefined;
}

export interface AdminWorkspaceRecord {
  index: number;
  /** ARI: `ari:cloud:<product>::site/<cloudId>` for sites, `ari:cloud:bitbucket::workspace/<uuid>` for Bitbucket. */
  id: string;
  cloudId: string | null;
  name: string;
  type: string;
  typeKey: string;
  /** Product key in users/search productAccess (`jira`, `confluence`, `bitbucket`). */
  productKey: string;
  hostUrl: string | null;
  status: 'online' | 'offline' | 'deprecated';
  /** As served; undefined = absent. */
  createdAt: string | undefined;
}

export interface AdminPolicyRecord {
  id: string;
  name: string | undefined;
  type: 'ip-allowlist' | 'data-residency' | 'data-security';
  status: 'enabled' | 'disabled' | undefined;
  ruleIn: string[] | undefined;
  resources: { id: string; applicationStatus: 'applying' | 'removing' | 'applied' | 'failed' | 'scheduled' }[] | undefined;
}

export interface AdminGroupRecord {
  index: number;
  /** Bare id as groups/search gives it; users/search `expand: groups` gives `ari:cloud:identity::group/<id>`. */
  id: string;
  name: string;
  /** undefined: absent from groups/search, null in users/search groups. */
  description: string | undefined;
  directory: number;
  managedBy: 'admins' | 'external' | 'team-members' | 'open';
  externalSynced: boolean;
  resources: number;
  /** Member user indexes, ascending. */
  members: Int32Array;
  /** Roles the group grants, per workspace; `roles` may be empty. */
  roleAssignments: { workspace: number; roles: string[]; defaultRole: string | null }[];
  /** Listed by groups/search, 404 on its role assignments. */
  vanishing: boolean;
}

export interface AdminTokenRecord {
  id: string;
  label: string;
  /** As served (ISO strings of varying precision) and as normalized (UTC, milliseconds). */
  createdAt: string;
  createdAtNorm: string;
  lastAccess: string | undefined;
  lastAccessNorm: string | null;
  expiry: string | undefined;
  expiryNorm: string | null;
}

export interface AdminProductAccessRecord {
  workspace: number;
  /** As served (nanosecond precision, or whole seconds); undefined = never used. */
  lastActive: string | undefined;
  lastActiveNorm: string | null;
}

/** A service account (API Access `ServiceAccountListResponse.items[]`) with its credentials. */
export interface AdminServiceAccountRecord {
  id: string;
  atlassianId: string;
  email: string;
  displayName: string;
  status: 'ACTIVE' | 'INACTIVE';
  description: string | undefined;
  createdById: string;
  updatedAt: number;
  tokens: { id: string; label: string; status: 'ALLOWED' | 'BLOCKED'; createdAt: string; expiresAt: string | undefined; lastActiveAt: string | undefined }[];
  clients: { clientId: string; name: string; status: 'ACTIVE' | 'INACTIVE'; createdAt: number; updatedAt: number }[];
}

export interface AdminModel {
  seed: number;
  orgId: string;
  orgName: string;
  v1PageSize: number;
  users: AdminUsers;
  directories: AdminDirectoryRecord[];
  domains: AdminDomainRecord[];
  workspaces: AdminWorkspaceRecord[];
  policies: AdminPolicyRecord[];
  groups: AdminGroupRecord[];
  membershipCount: number;
  /** Group indexes of user `u`: `userGroups.slice(userGroupStart[u], userGroupStart[u + 1])`. */
  userGroupStart: Int32Array;
  userGroups: Int32Array;
  /** Managed accounts whose token request answers 404. */
  vanishing: Set<number>;
  forbidden: Set<AdminEndpoint>;
  serviceAccounts: AdminServiceAccountRecord[];
  accessPageSize: number;
}

export interface AdminSim extends ProductSim {
  /** Page sizes clients asked for explicitly (query or body `limit`), by route pattern. */
  requestedLimits(): Record<string, number[]>;
  /** Table name -> rows, without `site` and `collected_at`, for the collector with `apiTokens` as given. */
  groundTruth(options?: { apiTokens?: 'managed' | 'active' | 'none' }): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the maximum page sizes (v2 100, workspaces 1000). */
  minimumRequests(options?: { apiTokens?: 'managed' | 'active' | 'none' }): number;
  model: AdminModel;
}

// ---------------------------------------------------------------------------------------------
// Users

const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김민준', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash', 'Ngô Bảo Châu'];
const ACCOUNT_STATUS: readonly AdminAccountStatus[] = ['active', 'inactive', 'closed'];
const MEMBERSHIP_STATUS: readonly AdminMembershipStatus[] = ['active', 'suspended', 'no_membership'];
const PLATFORM_ROLES = [null, 'atlassian/org-admin', 'atlassian/site-admin', 'atlassian/user-access-admin'] as const;
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const DAY = 86_400_000;

const F_MANAGED = 1;
const F_FOR_DELETION = 2;
const F_EMAIL_HIDDEN = 4;
const F_EMAIL_UNVERIFIED = 8;
const F_MFA = 16;
const F_NO_NICKNAME = 32;

/** Accounts as a few bytes each; every string is derived from (seed, index) when asked. */
export class AdminUsers {
  readonly count: number;
  private readonly seed: number;
  private readonly flags: Uint8Array;
  private readonly account: Uint8Array;
  private readonly membership: Uint8Array;
  /** 0 absent (unmanaged), 1 invited, 2 synced, 3 null. */
  private readonly source: Uint8Array;
  private readonly role: Uint8Array;
  /** Home directory index, -1 = in no directory (membership no_membership). */
  readonly home: Int8Array;
  /** Bitmask of product workspaces the account can use. */
  private readonly products: Uint16Array;
  private readonly idKey: number;

  constructor(seed: number, count: number, directories: number, productWorkspaces: readonly AdminWorkspaceRecord[]) {
    this.seed = seed;
    this.count = count;
    this.flags = new Uint8Array(count);
    this.account = new Uint8Array(count);
    this.membership = new Uint8Array(count);
    this.source = new Uint8Array(count);
    this.role = new Uint8Array(count);
    this.home = new Int8Array(count);
    this.products = new Uint16Array(count);
    this.idKey = hash32(seed, 'admin-account-id-key');
    for (let i = 0; i < count; i++) {
      // The odd cases come first, so every tenant has them: 0 the org admin running the collector, 1 an
      // unmanaged account with a hidden e-mail, 2 suspended, 3 deactivated, 4 not in any directory, 5
      // scheduled for deletion, 6 closed, 7 a unicode name.
      let managed = i === 0 || i === 2 || i === 3 || i === 5 || i === 6 || (i > 7 && unit(seed, 'managed', i) < 0.7);
      if (i === 1 || i === 4) managed = false;
      let account = 0;
      let membership = 0;
      let forDeletion = false;
      if (i === 3) account = 1;
      else if (i === 5) {
        account = 1;
        forDeletion = true;
      } else if (i === 6) account = 2;
      else if (i === 2) membership = 1;
      else if (i === 4) membership = 2;
      else if (i > 7) {
        const a = unit(seed, 'account', i);
        account = a < 0.01 ? 2 : a < 0.08 ? 1 : 0;
        forDeletion = account === 1 && managed && unit(seed, 'deletion', i) < 0.2;
        const m = unit(seed, 'membership', i);
        membership = m < 0.06 ? 1 : m < 0.09 ? 2 : 0;
      }
      let f = managed ? F_MANAGED : 0;
      if (forDeletion) f |= F_FOR_DELETION;
      if (i === 1 || (!managed && i > 7 && unit(seed, 'hide', i) < 0.3)) f |= F_EMAIL_HIDDEN;
      if (i > 7 && unit(seed, 'unverified', i) < 0.1) f |= F_EMAIL_UNVERIFIED;
      if (managed && (i === 0 || unit(seed, 'mfa', i) < 0.6)) f |= F_MFA;
      if (i > 7 && unit(seed, 'nonick', i) < 0.05) f |= F_NO_NICKNAME;
      this.flags[i] = f;
      this.account[i] = account;
      this.membership[i] = membership;
      const s = unit(seed, 'source', i);
      this.source[i] = managed ? (s < 0.5 ? 1 : s < 0.9 ? 2 : 3) : 0;
      const r = unit(seed, 'role', i);
      this.role[i] = i === 0 ? 1 : i > 7 && membership === 0 ? (r < 0.01 ? 1 : r < 0.03 ? 2 : r < 0.04 ? 3 : 0) : 0;
      this.home[i] = membership === 2 ? -1 : directories > 1 && i > 7 && unit(seed, 'home', i) < 0.15 ? 1 : 0;
      let mask = 0;
      if (membership !== 2 && account !== 2) {
        productWorkspaces.forEach((w, k) => {
          const p = w.productKey === 'jira' ? (k === 0 ? 0.85 : 0.5) : w.productKey === 'confluence' ? 0.5 : 0.15;
          if (i === 0 || unit(seed, 'product', i, k) < p) mask |= 1 << k;
        });
      }
      this.products[i] = mask;
    }
  }

  isManaged(i: number): boolean {
    return ((this.flags[i] ?? 0) & F_MANAGED) !== 0;
  }

  accountStatus(i: number): AdminAccountStatus {
    return ACCOUNT_STATUS[this.account[i] ?? 0] ?? 'active';
  }

  membershipStatus(i: number): AdminMembershipStatus {
    return MEMBERSHIP_STATUS[this.membership[i] ?? 0] ?? 'active';
  }

  /** The composite status (`#/components/schemas/Status`). A closed account is reported as deactivated. */
  status(i: number): AdminStatus {
    if ((this.flags[i] ?? 0) & F_FOR_DELETION) return 'for_deletion';
    if (this.accountStatus(i) !== 'active') return 'deactivated';
    const m = this.membershipStatus(i);
    return m === 'suspended' ? 'suspended' : m === 'no_membership' ? 'not_invited' : 'active';
  }

  /** `undefined` = field absent (unmanaged), `null` = present as null. */
  managementSource(i: number): 'invited' | 'synced' | null | undefined {
    const s = this.source[i] ?? 0;
    return s === 1 ? 'invited' : s === 2 ? 'synced' : s === 3 ? null : undefined;
  }

  platformRoles(i: number): string[] {
    const r = PLATFORM_ROLES[this.role[i] ?? 0] ?? null;
    return r ? [r] : [];
  }

  /** Unique per index: the scrambled index is embedded. Old 24-hex ids and `712020:` + uuid ids. */
  accountId(i: number): string {
    const tail = hex8(scramble32(i, this.idKey));
    if (unit(this.seed, 'idstyle', i) < 0.5) return `${hex8(hash32(this.seed, 'aida', i))}${hex8(hash32(this.seed, 'aidb', i))}${tail}`;
    return `712020:${uuidFrom(this.seed, 'auid', i).slice(0, 24)}${hex8(hash32(this.seed, 'apad', i)).slice(0, 4)}${tail}`;
  }

  name(i: number): string {
    if (i === 0) return 'Org Admin Collector';
    if (i === 7 || i % 23 === 7) return UNICODE_NAMES[Math.floor(i / 23) % UNICODE_NAMES.length] ?? 'Zoë Ångström';
    const first = FIRST[hash32(this.seed, 'afirst', i) % FIRST.length] ?? 'Alex';
    const last = LAST[hash32(this.seed, 'alast', i) % LAST.length] ?? 'Doe';
    return `${first} ${last}`;
  }

  nickname(i: number): string | undefined {
    if ((this.flags[i] ?? 0) & F_NO_NICKNAME) return undefined;
    return this.name(i).split(' ')[0];
  }

  private slug(i: number): string {
    const s = this.name(i)
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '');
    return s || 'user';
  }

  /** null when the profile hides it (field absent, facts sheet Q4). Managed accounts use a claimed domain. */
  email(i: number): string | null {
    if ((this.flags[i] ?? 0) & F_EMAIL_HIDDEN) return null;
    if (i === 0) return 'org-admin@acme.example';
    return this.isManaged(i) ? `${this.slug(i)}.${i}@acme.example` : `${this.slug(i)}.${i}@mail.example.org`;
  }

  emailVerified(i: number): boolean {
    return ((this.flags[i] ?? 0) & F_EMAIL_UNVERIFIED) === 0;
  }

  /** null = never used 2SV is not reported (unmanaged accounts: field absent). */
  mfaEnabled(i: number): boolean | null {
    return this.isManaged(i) ? ((this.flags[i] ?? 0) & F_MFA) !== 0 : null;
  }

  /** Milliseconds; null when the account is in no directory. */
  addedToOrg(i: number): number | null {
    if (this.home[i] === -1) return null;
    return NOW - Math.floor(unit(this.seed, 'added', i) * 1500) * DAY - (hash32(this.seed, 'added-ms', i) % DAY);
  }

  productAccess(i: number, workspaces: readonly AdminWorkspaceRecord[]): AdminProductAccessRecord[] {
    const mask = this.products[i] ?? 0;
    const out: AdminProductAccessRecord[] = [];
    for (let k = 0; k < 16; k++) {
      if (!(mask & (1 << k)) || !workspaces[k]) continue;
      if (i !== 0 && unit(this.seed, 'used', i, k) < 0.15) {
        out.push({ workspace: k, lastActive: undefined, lastActiveNorm: null });
        continue;
      }
      const ms = NOW - Math.floor(unit(this.seed, 'active-day', i, k) * 400 * DAY);
      const style = hash32(this.seed, 'active-style', i, k) % 7;
      if (style === 0) {
        // Whole seconds, no fraction.
        const s = Math.floor(ms / 1000) * 1000;
        out.push({ workspace: k, lastActive: new Date(s).toISOString().replace('.000Z', 'Z'), lastActiveNorm: new Date(s).toISOString() });
      } else {
        // Nanoseconds, as in the spec's example `2025-11-06T23:07:29.936941226Z`.
        const nanos = String(hash32(this.seed, 'nanos', i, k) % 1_000_000).padStart(6, '0');
        out.push({ workspace: k, lastActive: new Date(ms).toISOString().replace('Z', `${nanos}Z`), lastActiveNorm: new Date(ms).toISOString() });
      }
    }
    return out;
  }

  /** API tokens of a managed account: most have none, a few several, one many. */
  tokens(i: number): AdminTokenRecord[] {
    if (!this.isManaged(i)) return [];
    const r = unit(this.seed, 'tokens', i);
    const n = i === 2 ? 12 : r < 0.55 ? 0 : r < 0.8 ? 1 : r < 0.94 ? 2 : 3;
    const out: AdminTokenRecord[] = [];
    const labels = ['CI deploy', 'Jira automation', 'backup script', 'Looker export', 'ci/cd 🚀 pipeline', 'Überwachung', '監視スクリプト', 'tmp', ''];
    for (let t = 0; t < n; t++) {
      const created = NOW - Math.floor(unit(this.seed, 'tcreated', i, t) * 900) * DAY - (hash32(this.seed, 'tcms', i, t) % DAY);
      const fmt = hash32(this.seed, 'tfmt', i, t) % 3;
      // Tokens created since 2024-12-15 expire within a year; older ones have no expiry.
      const expiring = created >= Date.UTC(2024, 11, 15);
      const expiry = expiring ? Date.UTC(new Date(created).getUTCFullYear() + 1, new Date(created).getUTCMonth(), new Date(created).getUTCDate()) : null;
      const used = unit(this.seed, 'tused', i, t) < 0.7;
      const last = used ? Math.min(NOW, created + Math.floor(unit(this.seed, 'tlast', i, t) * (NOW - created))) : null;
      const asServed = (ms: number): string => {
        const iso = new Date(ms).toISOString();
        return fmt === 0 ? iso : fmt === 1 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso.replace('Z', '+00:00');
      };
      const createdServed = fmt === 1 ? Math.floor(created / 1000) * 1000 : created;
      const lastServed = last === null ? null : fmt === 1 ? Math.floor(last / 1000) * 1000 : last;
      out.push({
        id: uuidFrom(this.seed, 'token', i, t),
        label: labels[hash32(this.seed, 'tlabel', i, t) % labels.length] ?? 'token',
        createdAt: asServed(createdServed),
        createdAtNorm: new Date(createdServed).toISOString(),
        lastAccess: lastServed === null ? undefined : asServed(lastServed),
        lastAccessNorm: lastServed === null ? null : new Date(lastServed).toISOString(),
        expiry: expiry === null ? undefined : new Date(expiry).toISOString(),
        expiryNorm: expiry === null ? null : new Date(expiry).toISOString(),
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Generation

const GROUP_WORDS_A = ['team', 'squad', 'guild', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
const GROUP_WORDS_B = ['alpha', 'berlin', 'cobalt', 'delta', 'emea', 'falcon', 'apac', 'platform', 'mobile', 'web', 'infra', 'contractors'];
const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team', 'ventas/méxico', 'grupa+testowa'];
const SPECIAL_GROUPS = ['org-admins', 'jira-users-acme', 'confluence-users-acme', 'empty-group', 'okta-engineering'];

function clampInt(v: number | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

function generateModel(opts: AdminTenantOptions): AdminModel {
  const seed = clampInt(opts.seed, 1, -Infinity);
  const rng = new Rng(hash32(seed, 'admin'));
  const orgId = opts.orgId ?? uuidFrom(seed, 'admin-org');
  const orgName = opts.orgName ?? 'Acme Corporation';
  const userCount = clampInt(opts.users, 300, 8);
  const groupCount = clampInt(opts.groups, 30, 0);
  const membershipTarget = clampInt(opts.memberships, 1200, 0);
  const directoryCount = clampInt(opts.directories, 2, 1, 100);
  const domainCount = clampInt(opts.domains, 5, 0);
  const siteCount = clampInt(opts.sites, 2, 1, 7);
  const policyCount = clampInt(opts.policies, 4, 0);

  const directories: AdminDirectoryRecord[] = [];
  for (let d = 0; d < directoryCount; d++) directories.push({ directoryId: uuidFrom(seed, 'directory', d), name: d === 0 ? `${orgName} directory` : d === 1 ? 'Contractors (Okta)' : `Directory ${d + 1}` });

  // ---- workspaces: per site a Jira and a Confluence workspace sharing its cloud id, then one Bitbucket workspace.
  const workspaces: AdminWorkspaceRecord[] = [];
  for (let s = 0; s < siteCount; s++) {
    const cloudId = uuidFrom(seed, 'site', s);
    const host = s === 0 ? 'acme' : s === 1 ? 'acme-sandbox' : `acme-${s}`;
    const created = s === 1 ? undefined : new Date(Date.UTC(2019 + s, s % 12, 3, 8, 30)).toISOString();
    const status = s === siteCount - 1 && siteCount > 2 ? 'offline' : 'online';
    workspaces.push({ index: workspaces.length, id: `ari:cloud:jira::site/${cloudId}`, cloudId, name: host, type: 'jira', typeKey: 'jira-software', productKey: 'jira', hostUrl: `https://${host}.atlassian.net`, status, createdAt: created });
    workspaces.push({ index: workspaces.length, id: `ari:cloud:confluence::site/${cloudId}`, cloudId, name: host, type: 'confluence', typeKey: 'confluence', productKey: 'confluence', hostUrl: `https://${host}.atlassian.net/wiki`, status, createdAt: created });
  }
  workspaces.push({ index: workspaces.length, id: `ari:cloud:bitbucket::workspace/${uuidFrom(seed, 'bitbucket')}`, cloudId: null, name: 'acme', type: 'bitbucket', typeKey: 'bitbucket', productKey: 'bitbucket', hostUrl: null, status: 'online', createdAt: undefined });

  const users = new AdminUsers(seed, userCount, directoryCount, workspaces);

  // ---- domains
  const DOMAIN_NAMES = ['acme.example', 'acme-corp.example', 'bücher.example', 'legacy.acme.example', 'acme.co.example'];
  const CLAIMS: AdminDomainRecord['claim'][] = [
    { type: 'dns', status: 'verified' },
    { type: 'http', status: 'verified' },
    { type: 'dns', status: 'unverified' },
    undefined,
    { type: 'http', status: 'missing_token' },
    { type: 'dns', status: 'superseded' },
    { status: 'deleted' },
  ];
  const domains: AdminDomainRecord[] = [];
  for (let d = 0; d < domainCount; d++) {
    domains.push({ id: uuidFrom(seed, 'domain', d), name: DOMAIN_NAMES[d] ?? `sub${d}.acme.example`, claim: CLAIMS[d % CLAIMS.length] });
  }

  // ---- policies
  const sites = workspaces.filter((w) => w.cloudId !== null);
  const policies: AdminPolicyRecord[] = [];
  for (let p = 0; p < policyCount; p++) {
    const kind = p % 3;
    const pick = (n: number) => sites.slice(0, Math.min(n, sites.length));
    if (kind === 0) {
      policies.push({
        id: uuidFrom(seed, 'policy', p),
        name: p === 0 ? 'Office and VPN only' : `IP allowlist ${p}`,
        type: 'ip-allowlist',
        status: p === 0 ? 'enabled' : 'disabled',
        ruleIn: p === 0 ? ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/48'] : [`192.0.2.${p}/32`],
        resources: pick(2).map((w, k) => ({ id: w.id, applicationStatus: k === 0 ? 'applied' : 'applying' })),
      });
    } else if (kind === 1) {
      policies.push({ id: uuidFrom(seed, 'policy', p), name: 'EU data residency', type: 'data-residency', status: 'enabled', ruleIn: undefined, resources: pick(1).map((w) => ({ id: w.id, applicationStatus: 'scheduled' })) });
    } else {
      // No name, status, rule or resources: every attribute but `type` is optional (`PolicyModel`).
      policies.push({ id: uuidFrom(seed, 'policy', p), name: undefined, type: 'data-security', status: undefined, ruleIn: undefined, resources: undefined });
    }
  }

  // ---- groups and memberships (members come from the group's directory)
  const byDirectory: number[][] = directories.map(() => []);
  for (let i = 0; i < userCount; i++) {
    const h = users.home[i] ?? -1;
    if (h >= 0) byDirectory[h]?.push(i);
  }
  const names: string[] = [];
  const used = new Set<string>();
  for (let g = 0; g < groupCount; g++) {
    const base = SPECIAL_GROUPS[g] ?? (g % 7 === 3 ? (UNICODE_GROUPS[Math.floor(g / 7) % UNICODE_GROUPS.length] ?? `group-${g}`) : `${rng.pick(GROUP_WORDS_A)}-${rng.pick(GROUP_WORDS_B)}`);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    used.add(name.toLowerCase());
    names.push(name);
  }
  const dirOf = (g: number): number => (directoryCount > 1 && (g === 4 || g % 5 === 4) ? 1 : 0);
  const empty = (g: number): boolean => g === 3 || (g >= SPECIAL_GROUPS.length && g % 9 === 8);
  const weights = names.map((_, g) => (empty(g) ? 0 : g === 1 ? -1 : Math.exp(4 * unit(seed, 'gweight', g))));
  const others = weights.reduce((a, w) => a + Math.max(0, w), 0);
  // 'jira-users-acme' takes about a third of all memberships: one group with many pages of members.
  if (weights[1] !== undefined) weights[1] = Math.max(1, others * 0.5);
  const total = weights.reduce((a, w) => a + w, 0) || 1;
  const poolSize = (g: number): number => byDirectory[dirOf(g)]?.length ?? 0;
  const sizes = names.map((_, g) => Math.min(poolSize(g), Math.floor((membershipTarget * (weights[g] ?? 0)) / total)));
  // Rounding and full groups leave some memberships over: hand them out, heaviest groups first.
  let leftover = membershipTarget - sizes.reduce((a, b) => a + b, 0);
  const order = names.map((_, g) => g).filter((g) => !empty(g)).sort((a, b) => (weights[b] ?? 0) - (weights[a] ?? 0) || a - b);
  while (leftover > 0) {
    let progressed = false;
    for (const g of order) {
      if (leftover <= 0) break;
      const add = Math.min(poolSize(g) - (sizes[g] ?? 0), Math.max(1, Math.ceil(leftover / order.length)), leftover);
      if (add <= 0) continue;
      sizes[g] = (sizes[g] ?? 0) + add;
      leftover -= add;
      progressed = true;
    }
    if (!progressed) break;
  }
  let membershipCount = 0;
  const groups: AdminGroupRecord[] = names.map((name, g) => {
    const pool = byDirectory[dirOf(g)] ?? [];
    const size = sizes[g] ?? 0;
    const picked = new Rng(hash32(seed, 'gmembers', g)).sample(pool.length, size);
    const members = Int32Array.from(picked, (k) => pool[k] ?? 0).sort();
    membershipCount += members.length;
    const synced = g === 4 || (g >= SPECIAL_GROUPS.length && unit(seed, 'gsynced', g) < 0.15);
    const m = unit(seed, 'gmanaged', g);
    const roleAssignments: AdminGroupRecord['roleAssignments'] = [];
    workspaces.forEach((w, k) => {
      if (w.cloudId === null && g !== 0) return;
      if (g === 0) roleAssignments.push({ workspace: k, roles: ['atlassian/admin', 'atlassian/user'], defaultRole: 'atlassian/user' });
      else if (g === 1 && w.productKey === 'jira') roleAssignments.push({ workspace: k, roles: ['atlassian/user'], defaultRole: 'atlassian/user' });
      else if (g === 2 && w.productKey === 'confluence') roleAssignments.push({ workspace: k, roles: k === 1 ? ['atlassian/user', 'atlassian/guest'] : [], defaultRole: null });
      else if (g > 4 && unit(seed, 'grole', g, k) < 0.2) {
        const r = unit(seed, 'grolekind', g, k);
        roleAssignments.push({ workspace: k, roles: [r < 0.7 ? 'atlassian/user' : r < 0.85 ? 'atlassian/admin' : 'atlassian/guest'], defaultRole: r < 0.5 ? 'atlassian/user' : null });
      }
    });
    return {
      index: g,
      id: uuidFrom(seed, 'group', g),
      name,
      description: g === 0 ? 'Grants organization admin — «tous les droits»' : unit(seed, 'gdesc', g) < 0.4 ? undefined : `Group ${name}`,
      directory: dirOf(g),
      managedBy: synced ? 'external' : m < 0.8 ? 'admins' : m < 0.9 ? 'team-members' : 'open',
      externalSynced: synced,
      resources: roleAssignments.length,
      members,
      roleAssignments,
      vanishing: false,
    };
  });
  // Groups deleted between groups/search and their role-assignments request: taken from the end.
  for (let k = 0, g = groups.length - 1; k < clampInt(opts.vanishingGroups, 0, 0) && g >= SPECIAL_GROUPS.length; k++, g -= 3) {
    const rec = groups[g];
    if (rec) rec.vanishing = true;
  }

  // Inverse index: groups of each user, ascending group index.
  const userGroupStart = new Int32Array(userCount + 1);
  for (const g of groups) for (const u of g.members) userGroupStart[u + 1] = (userGroupStart[u + 1] ?? 0) + 1;
  for (let u = 0; u < userCount; u++) userGroupStart[u + 1] = (userGroupStart[u + 1] ?? 0) + (userGroupStart[u] ?? 0);
  const userGroups = new Int32Array(membershipCount);
  const fill = userGroupStart.slice(0, userCount);
  for (const g of groups) {
    for (const u of g.members) {
      const at = fill[u] ?? 0;
      userGroups[at] = g.index;
      fill[u] = at + 1;
    }
  }

  // ---- managed accounts removed between users/search and their token request
  const candidates: number[] = [];
  for (let i = 8; i < userCount; i++) if (users.isManaged(i) && users.accountStatus(i) !== 'closed') candidates.push(i);
  const vanishingCount = Math.min(clampInt(opts.vanishingUsers, 0, 0), candidates.length);
  const vanishing = new Set<number>();
  for (let k = 0; k < vanishingCount; k++) vanishing.add(candidates[Math.floor(((k + 0.5) * candidates.length) / vanishingCount)] ?? 8);

  // ---- service accounts: the first has many tokens (several pages at small page sizes), one has none.
  const serviceAccounts: AdminServiceAccountRecord[] = [];
  const saCount = clampInt(opts.serviceAccounts, 4, 0);
  const SA_NAMES = ['ci-deployer', 'jira-sync-bot', 'backup-exporter', 'looker-reader', 'okta-bridge', 'release-bot'];
  for (let k = 0; k < saCount; k++) {
    const name = SA_NAMES[k % SA_NAMES.length] ?? 'bot';
    const display = k < SA_NAMES.length ? name : `${name}-${k}`;
    const nTokens = k === 0 ? 7 : k === 1 ? 0 : 1 + (hash32(seed, 'sa-tokens', k) % 3);
    const nClients = k === 2 ? 0 : 1 + (hash32(seed, 'sa-clients', k) % 2);
    const tokens: AdminServiceAccountRecord['tokens'] = [];
    for (let t = 0; t < nTokens; t++) {
      const created = NOW - Math.floor(unit(seed, 'sa-tcreated', k, t) * 500) * DAY;
      const never = t === 1;
      const used = unit(seed, 'sa-tused', k, t) < 0.6;
      tokens.push({
        id: uuidFrom(seed, 'sa-token', k, t),
        label: `${display} token ${t + 1}`,
        status: t === 2 ? 'BLOCKED' : 'ALLOWED',
        createdAt: new Date(created).toISOString(),
        expiresAt: never ? undefined : new Date(created + 365 * DAY).toISOString(),
        lastActiveAt: used ? new Date(created + Math.floor(unit(seed, 'sa-tlast', k, t) * (NOW - created))).toISOString() : undefined,
      });
    }
    const clients: AdminServiceAccountRecord['clients'] = [];
    for (let c = 0; c < nClients; c++) {
      const created = NOW - Math.floor(unit(seed, 'sa-ccreated', k, c) * 300) * DAY;
      clients.push({ clientId: hex8(hash32(seed, 'sa-client', k, c)) + hex8(hash32(seed, 'sa-client2', k, c)), name: `${display} oauth ${c + 1}`, status: c === 1 ? 'INACTIVE' : 'ACTIVE', createdAt: created, updatedAt: created + DAY });
    }
    serviceAccounts.push({
      id: uuidFrom(seed, 'service-account', k),
      atlassianId: `712020:${uuidFrom(seed, 'sa-aid', k)}`,
      email: `${display}@serviceaccount.atlassian.com`,
      displayName: display,
      status: k === 3 ? 'INACTIVE' : 'ACTIVE',
      description: k % 2 === 0 ? `Service account for ${display}` : undefined,
      createdById: users.accountId(0),
      updatedAt: NOW - Math.floor(unit(seed, 'sa-updated', k) * 100) * DAY,
      tokens,
      clients,
    });
  }

  return {
    seed,
    orgId,
    orgName,
    v1PageSize: clampInt(opts.v1PageSize, 20, 1),
    serviceAccounts,
    accessPageSize: clampInt(opts.accessPageSize, 100, 1),
    users,
    directories,
    domains,
    workspaces,
    policies,
    groups,
    membershipCount,
    userGroupStart,
    userGroups,
    vanishing,
    forbidden: new Set(opts.forbidden ?? []),
  };
}

function groupsOf(model: AdminModel, u: number): number[] {
  return Array.from(model.userGroups.subarray(model.userGroupStart[u] ?? 0, model.userGroupStart[u + 1] ?? 0));
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

type Json = Record<string, unknown>;

const ok = (body: unknown): RouteResult => ({ status: 200, body });

/** Admin application error body (`Errors` / `ApplicationErrors`: `{errors: [{id, status, code, title, detail}]}`). */
function appError(status: number, code: string, title: string, detail?: string): RouteResult {
  return { status, body: { errors: [{ id: uuidFrom('error', status, code, title), status: String(status), code, title, ...(detail ? { detail } : {}) }] } };
}

/** Body of errors the generic server raises: `ProxyError {code, message}` for 401/429, application errors else. */
function adminErrorBody(status: number, message: string): unknown {
  if (status === 401 || status === 429) return { code: status, message };
  return appError(status, status >= 500 ? 'ADMIN-500-1' : status === 404 ? 'ADMIN-404-1' : status === 405 ? 'ADMIN-405-1' : `ADMIN-${status}-1`, message).body;
}

/** Opaque cursor: base64url of (kind, offset, limit) with a checksum, so a foreign or edited cursor is a 400. */
function encodeCursor(seed: number, kind: string, offset: number, limit: number): string {
  return Buffer.from(`${kind}.${offset}.${limit}.${hex8(hash32(seed, kind, offset, limit))}`).toString('base64url');
}

function decodeCursor(seed: number, kind: string, cursor: string): { offset: number; limit: number } | null {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (parts.length !== 4 || parts[0] !== kind) return null;
  const offset = Number(parts[1]);
  const limit = Number(parts[2]);
  if (!Number.isInteger(offset) || !Number.isInteger(limit) || parts[3] !== hex8(hash32(seed, kind, offset, limit))) return null;
  return { offset, limit };
}

interface Window {
  offset: number;
  limit: number;
}

/** A page of `all` from `w`, through `ctx.page` (the 'shortPage' fault); `next` = offset after the items sent. */
function window<T>(ctx: RouteContext, all: readonly T[], w: Window): { items: T[]; next: number | null; total: number } {
  const { items } = ctx.page(all.slice(w.offset, w.offset + w.limit));
  const next = w.offset + items.length;
  return { items, next: next < all.length ? next : null, total: all.length };
}

const isResult = (x: unknown): x is RouteResult => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

/** Parse a POST search body: JSON object or empty. */
function searchBody(ctx: RouteContext): Json | RouteResult {
  if (ctx.body.trim() === '') return {};
  try {
    const b = JSON.parse(ctx.body) as unknown;
    if (b && typeof b === 'object' && !Array.isArray(b)) return b as Json;
  } catch {
    // fall through
  }
  return appError(400, 'ADMIN-400-24', 'Invalid request body', 'The request body is not a JSON object.');
}

function stringList(b: Json, field: string, max: number, allowed?: readonly string[]): string[] | RouteResult | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return appError(400, 'ADMIN-400-24', 'Invalid request body', `'${field}' must be an array of strings.`);
  if (v.length < 1 || v.length > max) return appError(400, 'ADMIN-400-24', 'Invalid request body', `'${field}' must have 1 to ${max} items.`);
  const bad = allowed ? (v as string[]).find((x) => !allowed.includes(x)) : undefined;
  if (bad !== undefined) return appError(400, 'ADMIN-400-24', 'Invalid request body', `'${field}' has an unknown value '${bad}'.`);
  return v as string[];
}

// ---------------------------------------------------------------------------------------------
// Tenant

/** A simulated Atlassian organization served by the Admin API routes. */
export function adminTenant(opts: AdminTenantOptions = {}): AdminSim {
  const model = generateModel(opts);
  const { users, groups, workspaces, seed, orgId } = model;
  const forbidden = model.forbidden;
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const accountIndex = new Map<string, number>();
  for (let i = 0; i < users.count; i++) accountIndex.set(users.accountId(i), i);

  const orgJson = (base: string): Json => ({
    id: orgId,
    type: 'orgs',
    attributes: { name: model.orgName },
    links: { self: `${base}/admin/v1/orgs/${orgId}` },
    relationships: {
      domains: { links: { related: `${base}/admin/v1/orgs/${orgId}/domains` } },
      users: { links: { related: `${base}/admin/v1/orgs/${orgId}/users` } },
    },
  });

  /** Org-scoped routes: an unknown org is `ADMIN-404-2` (`Error.OrgNotFound`). */
  const checkOrg = (ctx: RouteContext): RouteResult | null =>
    ctx.params.orgId === orgId ? null : appError(404, 'ADMIN-404-2', 'Organization not found', `No organization with id '${ctx.params.orgId ?? ''}' for this API key.`);

  /** 403 as for a key without the endpoint's scope, in the body the endpoint's spec documents. */
  const deny = (what: AdminEndpoint, ctx: RouteContext): RouteResult | null => {
    if (!forbidden.has(what)) return null;
    if (what === 'api-tokens') return { status: 403, body: { key: 'forbidden' } };
    if (what === 'domains') {
      // `Error.NoPerms` → NoPermsError.
      return { status: 403, body: { error: 'Forbidden', message: `The API key is missing the scope ${ADMIN_ENDPOINT_SCOPES[what]}.`, path: ctx.path, requestId: uuidFrom('req', ctx.path), status: 403, timestamp: new Date(NOW).toISOString() } };
    }
    return appError(403, 'ADMIN-403-3', 'Not allowed to manage the org', `The API key is missing the scope ${ADMIN_ENDPOINT_SCOPES[what]}.`);
  };

  /** Admin v1 paging (style A1): `cursor` only, page size set by the server, `links.next` a full URL. */
  const v1Page = <T>(ctx: RouteContext, kind: string, all: readonly T[], map: (item: T) => Json, extra?: (next: string | null) => Json): RouteResult => {
    const raw = ctx.query.get('cursor');
    let offset = 0;
    if (raw !== null) {
      const c = decodeCursor(seed, kind, raw);
      if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
      offset = c.offset;
    }
    const page = window(ctx, all, { offset, limit: model.v1PageSize });
    const self = `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}`;
    const links: Json = { self };
    const cursor = page.next === null ? null : encodeCursor(seed, kind, page.next, model.v1PageSize);
    if (cursor !== null) {
      const q = new URLSearchParams(ctx.query);
      q.set('cursor', cursor);
      links.next = `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
    }
    return ok({ data: page.items.map(map), links, ...(extra ? extra(cursor) : {}) });
  };

  /** v2 window from a POST search body: `limit` 1..max (default `def`), `cursor` from an earlier page. */
  const v2Window = (b: Json, kind: string, def: number, max: number): Window | RouteResult => {
    let offset = 0;
    let limit = def;
    if (b.cursor !== undefined && b.cursor !== null) {
      const c = typeof b.cursor === 'string' ? decodeCursor(seed, kind, b.cursor) : null;
      if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
      offset = c.offset;
      limit = c.limit;
    }
    if (b.limit !== undefined) {
      if (typeof b.limit !== 'number' || !Number.isInteger(b.limit) || b.limit < 1 || b.limit > max) {
        return appError(400, 'ADMIN-400-24', 'Invalid request body', `'limit' must be an integer between 1 and ${max}.`);
      }
      limit = b.limit;
    }
    return { offset, limit };
  };

  /** v2 page envelope: `links.next` a bare cursor (LinkPageCursor), absent at the end. */
  const v2Page = <T>(ctx: RouteContext, kind: string, all: readonly T[], w: Window, map: (item: T) => Json): RouteResult => {
    const page = window(ctx, all, w);
    const links: Json = { self: encodeCursor(seed, kind, w.offset, w.limit) };
    if (w.offset > 0) links.prev = encodeCursor(seed, kind, Math.max(0, w.offset - w.limit), w.limit);
    if (page.next !== null) links.next = encodeCursor(seed, kind, page.next, w.limit);
    return ok({ data: page.items.map(map), links });
  };

  /** `directoryId` path parameter: `-` = every directory, else one known directory (index), or a 404. */
  const directoryParam = (ctx: RouteContext): number | null | RouteResult => {
    const d = ctx.params.directoryId ?? '';
    if (d === '-') return null;
    const k = model.directories.findIndex((x) => x.directoryId === d);
    return k >= 0 ? k : appError(404, 'ADMIN-404-1', 'We couldn’t find the organization or directory.');
  };

  const groupAri = (g: AdminGroupRecord): string => `ari:cloud:identity::group/${g.id}`;

  const userJson = (i: number, expand: ReadonlySet<string>, dir: number | null): Json => {
    const out: Json = {
      accountId: users.accountId(i),
      accountType: 'atlassian',
      accountStatus: users.accountStatus(i),
      membershipStatus: users.membershipStatus(i),
      status: users.status(i),
      claimStatus: users.isManaged(i) ? 'managed' : 'unmanaged',
    };
    const src = users.managementSource(i);
    if (src !== undefined) out.managementSource = src;
    const email = users.email(i);
    if (email !== null) out.email = email;
    out.emailVerified = users.emailVerified(i);
    out.name = users.name(i);
    const nick = users.nickname(i);
    if (nick !== undefined) out.nickname = nick;
    out.picture = `https://avatar-management.example/${hex8(hash32(seed, 'pic', i))}.png`;
    const mfa = users.mfaEnabled(i);
    if (mfa !== null) out.mfaEnabled = mfa;
    const added = users.addedToOrg(i);
    if (added !== null) out.addedToOrg = new Date(added).toISOString();
    out.links = { self: encodeCursor(seed, 'user', i, 1) };
    if (expand.has('groups')) {
      out.groups = groupsOf(model, i)
        .map((g) => groups[g])
        .filter((g): g is AdminGroupRecord => g !== undefined && (dir === null || g.directory === dir))
        .map((g) => ({ id: groupAri(g), name: g.name, description: g.description ?? null }));
    }
    if (expand.has('productAccess')) {
      out.productAccess = users.productAccess(i, workspaces).map((p) => {
        const w = workspaces[p.workspace];
        return { id: w?.id, key: w?.productKey, ...(p.lastActive !== undefined ? { lastActiveTimestamp: p.lastActive } : {}) };
      });
    }
    if (expand.has('platformRoles')) out.platformRoles = users.platformRoles(i);
    if (expand.has('counts.resources')) out.counts = { resources: users.productAccess(i, workspaces).length };
    return out;
  };

  const groupJson = (g: AdminGroupRecord, expand: ReadonlySet<string>): Json => {
    const out: Json = { id: g.id, name: g.name };
    if (g.description !== undefined) out.description = g.description;
    Object.assign(out, {
      directoryId: model.directories[g.directory]?.directoryId,
      externalSynced: g.externalSynced,
      managedBy: g.managedBy,
      managementAccess: { readable: true, modifiable: !g.externalSynced, deletable: !g.externalSynced && g.index !== 0 },
      links: { self: encodeCursor(seed, 'group', g.index, 1) },
    });
    const counts: Json = {};
    if (expand.has('counts.users')) counts.users = g.members.length;
    if (expand.has('counts.resources')) counts.resources = g.resources;
    if (Object.keys(counts).length) out.counts = counts;
    return out;
  };

  const workspaceJson = (base: string, w: AdminWorkspaceRecord): Json => {
    const attributes: Json = { name: w.name, typeKey: w.typeKey, type: w.type, owner: orgId, status: w.status, statusDetails: [], icons: {}, avatars: {}, labels: w.index === 1 ? ['production'] : [], realm: 'eu', regions: ['eu-central-1'] };
    if (w.index % 2 === 1 && w.cloudId !== null) attributes.sandbox = { type: 'NONE' };
    if (w.createdAt !== undefined) attributes.createdAt = w.createdAt;
    if (w.hostUrl !== null) attributes.hostUrl = w.hostUrl;
    else attributes.hostUrl = null;
    return { id: w.id, type: 'workspaces', attributes, links: { self: `${base}/admin/v2/orgs/${orgId}/workspaces/${encodeURIComponent(w.id)}` }, relationships: {} };
  };

  const policyJson = (p: AdminPolicyRecord): Json => {
    const attributes: Json = { type: p.type };
    if (p.name !== undefined) attributes.name = p.name;
    if (p.status !== undefined) attributes.status = p.status;
    if (p.ruleIn !== undefined) attributes.rule = { in: p.ruleIn };
    if (p.resources !== undefined) attributes.resources = p.resources.map((r) => ({ id: r.id, applicationStatus: r.applicationStatus }));
    return { id: p.id, type: 'policy', attributes };
  };

  const asked = new Map<string, Set<number>>();
  const noteLimit = (route: string, limit: unknown): void => {
    if (typeof limit !== 'number') return;
    const set = asked.get(route) ?? new Set<number>();
    set.add(limit);
    asked.set(route, set);
  };

  const allUserIndexes: number[] = Array.from({ length: users.count }, (_, i) => i);
  const USER_EXPAND = ['platformRoles', 'counts.resources', 'productAccess', 'groups'] as const;
  const GROUP_EXPAND = ['counts.resources', 'counts.users'] as const;

  /**
   * API Access paging (server-set page size, `cursor` query parameter). `links.next` is a bare cursor (facts
   * sheet §7d "links.next is a cursor"), or with `urlLinks` a full URL, so the collector handles both forms.
   */
  const accessPage = <T>(ctx: RouteContext, kind: string, all: readonly T[], map: (item: T) => Json, field: 'data' | 'items', urlLinks = false): RouteResult => {
    const raw = ctx.query.get('cursor');
    let offset = 0;
    if (raw !== null) {
      const c = decodeCursor(seed, kind, raw);
      if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
      offset = c.offset;
    }
    const page = window(ctx, all, { offset, limit: model.accessPageSize });
    const links: Json = { self: `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}` };
    if (offset > 0) links.prev = encodeCursor(seed, kind, Math.max(0, offset - model.accessPageSize), model.accessPageSize);
    if (page.next !== null) {
      const c = encodeCursor(seed, kind, page.next, model.accessPageSize);
      links.next = urlLinks ? `${ctx.baseUrl}${ctx.path}?cursor=${c}` : c;
    }
    return ok({ ...(field === 'items' ? { links, items: page.items.map(map), total: all.length } : { data: page.items.map(map), links }) });
  };

  /** Every user API token of the organization's managed accounts (closed accounts have none), in account order. */
  let orgTokens: { i: number; t: AdminTokenRecord }[] | undefined;
  const allOrgTokens = (): { i: number; t: AdminTokenRecord }[] => {
    orgTokens ??= listedTokens(model);
    return orgTokens;
  };
  const serviceAccountById = new Map(model.serviceAccounts.map((a) => [a.id, a]));

  const routes: Route[] = [
    {
      // API Access "Get all API tokens in an org" (https://developer.atlassian.com/cloud/admin/api-access/rest/api-group-api-token/):
      // `{data: [ApiToken {id, label, status, createdAt, expiresAt, lastActiveAt, user {id, orgId, name, email}}], links}`.
      method: 'GET',
      path: '/admin/api-access/v1/orgs/{orgId}/api-tokens',
      paged: true,
      handle: (ctx) =>
        checkOrg(ctx) ??
        deny('org-api-tokens', ctx) ??
        accessPage(ctx, 'access-tokens', allOrgTokens(), ({ i, t }) => {
          const out: Json = { id: t.id, label: t.label, status: tokenStatus(model, i, t), createdAt: t.createdAt };
          if (t.expiry !== undefined) out.expiresAt = t.expiry;
          if (t.lastAccess !== undefined) out.lastActiveAt = t.lastAccess;
          const email = users.email(i);
          out.user = { id: users.accountId(i), orgId, name: users.name(i), ...(email !== null ? { email } : {}) };
          return out;
        }, 'data'),
    },
    {
      // API Access "List service accounts in an org" (Experimental; .../api-group-service-account/):
      // `{links {next, prev}, items [...], total}`; here `links.next` is a full URL.
      method: 'GET',
      path: '/admin/api-access/v1/orgs/{orgId}/service-accounts',
      paged: true,
      handle: (ctx) =>
        checkOrg(ctx) ??
        deny('service-accounts', ctx) ??
        accessPage(ctx, 'service-accounts', model.serviceAccounts, (a) => ({
          atlassianId: a.atlassianId,
          id: a.id,
          email: a.email,
          displayName: a.displayName,
          picture: `https://avatar-management.example/${a.id}.png`,
          container: orgId,
          updatedAt: a.updatedAt,
          status: a.status,
          createdById: a.createdById,
          ...(a.description !== undefined ? { description: a.description } : {}),
        }), 'items', true),
    },
    {
      // API Access `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/api-tokens` (shape of the org listing
      // without `user`; unverified). 404 for an unknown service account.
      method: 'GET',
      path: '/admin/api-access/v1/orgs/{orgId}/service-accounts/{serviceAccountId}/api-tokens',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('service-account-credentials', ctx);
        if (bad) return bad;
        const a = serviceAccountById.get(ctx.params.serviceAccountId ?? '');
        if (!a) return appError(404, 'ADMIN-404-1', 'Service account not found');
        return accessPage(ctx, `sa-tokens-${a.id}`, a.tokens, (t) => ({
          id: t.id,
          label: t.label,
          status: t.status,
          createdAt: t.createdAt,
          ...(t.expiresAt !== undefined ? { expiresAt: t.expiresAt } : {}),
          ...(t.lastActiveAt !== undefined ? { lastActiveAt: t.lastActiveAt } : {}),
        }), 'data');
      },
    },
    {
      // API Access `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/oauth-clients`: OAuthClient
      // {clientId, name, createdAt, updatedAt (epoch ms), status}; never the secret.
      method: 'GET',
      path: '/admin/api-access/v1/orgs/{orgId}/service-accounts/{serviceAccountId}/oauth-clients',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('service-account-credentials', ctx);
        if (bad) return bad;
        const a = serviceAccountById.get(ctx.params.serviceAccountId ?? '');
        if (!a) return appError(404, 'ADMIN-404-1', 'Service account not found');
        return accessPage(ctx, `sa-clients-${a.id}`, a.clients, (c) => ({ clientId: c.clientId, name: c.name, createdAt: c.createdAt, updatedAt: c.updatedAt, status: c.status }), 'data');
      },
    },
    {
      // `~1v1~1orgs/get`: the organizations of the key (one here). Style A1.
      method: 'GET',
      path: '/admin/v1/orgs',
      paged: true,
      handle: (ctx) => v1Page(ctx, 'orgs', [0], () => orgJson(ctx.baseUrl)),
    },
    {
      // `~1v1~1orgs~1{orgId}/get`: `{data: OrgModel}`; 404 ADMIN-404-2 for an unknown org.
      method: 'GET',
      path: '/admin/v1/orgs/{orgId}',
      handle: (ctx) => checkOrg(ctx) ?? deny('org', ctx) ?? ok({ data: orgJson(ctx.baseUrl) }),
    },
    {
      // `~1v1~1orgs~1{orgId}~1domains/get`: style A1, no limit parameter; 403 `Error.NoPerms`.
      method: 'GET',
      path: '/admin/v1/orgs/{orgId}/domains',
      paged: true,
      handle: (ctx) =>
        checkOrg(ctx) ??
        deny('domains', ctx) ??
        v1Page(ctx, 'domains', model.domains, (d) => {
          const attributes: Json = { name: d.name };
          if (d.claim !== undefined) attributes.claim = { ...d.claim };
          return { id: d.id, type: 'domains', attributes, links: { self: `${ctx.baseUrl}/admin/v1/orgs/${orgId}/domains/${d.id}` } };
        }),
    },
    {
      // `~1v1~1orgs~1{orgId}~1policies/get`: style A1 plus `meta {next (the cursor, nullable), page_size}`;
      // optional `type` filter. The spec documents no 403 here; `forbidden` still answers one.
      method: 'GET',
      path: '/admin/v1/orgs/{orgId}/policies',
      paged: true,
      handle: (ctx) => {
        const type = ctx.query.get('type');
        const list = model.policies.filter((p) => !type || p.type === type);
        return checkOrg(ctx) ?? deny('policies', ctx) ?? v1Page(ctx, `policies-${type ?? ''}`, list, policyJson, (next) => ({ meta: { next, page_size: model.v1PageSize } }));
      },
    },
    {
      // `~1v2~1orgs~1{orgId}~1directories/get`: style A2 on GET; limit 1..100 default 20; "If [cursor]
      // present, all other parameters are discarded" (facts sheet Q7).
      method: 'GET',
      path: '/admin/v2/orgs/{orgId}/directories',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('directories', ctx);
        if (bad) return bad;
        const cursor = ctx.query.get('cursor');
        let w: Window;
        if (cursor !== null) {
          const c = decodeCursor(seed, 'directories', cursor);
          if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
          w = c;
        } else {
          const raw = ctx.query.get('limit');
          const limit = raw === null ? 20 : Number(raw);
          if (raw !== null) noteLimit('GET /admin/v2/orgs/{orgId}/directories', limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > V2_MAX) return appError(400, 'ADMIN-400-24', 'Invalid request', `'limit' must be an integer between 1 and ${V2_MAX}.`);
          w = { offset: 0, limit };
        }
        const term = cursor === null ? (ctx.query.get('searchTerm') ?? '').toLowerCase() : '';
        const list = model.directories.filter((d) => !term || d.name.toLowerCase().includes(term));
        return v2Page(ctx, 'directories', list, w, (d) => ({ directoryId: d.directoryId, name: d.name, icon: `https://admin.example/icons/${d.directoryId}.svg` }));
      },
    },
    {
      // `~1v2~1orgs~1{orgId}~1workspaces/post`: limit 1..1000 (default 20); "When a cursor is provided in the
      // request body, no other properties may be present" (400 otherwise). `links` is `LinkPageModel`
      // ("URL to fetch the Next Page"): the simulator sends a URL carrying the cursor (form unverified).
      method: 'POST',
      path: '/admin/v2/orgs/{orgId}/workspaces',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('workspaces', ctx);
        if (bad) return bad;
        const b = searchBody(ctx);
        if (isResult(b)) return b;
        if (b.cursor !== undefined && b.cursor !== null && Object.keys(b).length > 1) {
          return appError(400, 'ADMIN-400-4', 'Invalid resource', 'When a cursor is provided in the request body, no other properties may be present.');
        }
        noteLimit('POST /admin/v2/orgs/{orgId}/workspaces', b.limit);
        const w = v2Window(b, 'workspaces', 20, WORKSPACES_MAX);
        if (isResult(w)) return w;
        const page = window(ctx, workspaces, w);
        const links: Json = { self: `${ctx.baseUrl}${ctx.path}` };
        if (page.next !== null) links.next = `${ctx.baseUrl}${ctx.path}?cursor=${encodeCursor(seed, 'workspaces', page.next, w.limit)}`;
        return ok({
          data: page.items.map((x) => workspaceJson(ctx.baseUrl, x)),
          links,
          meta: { pageSize: w.limit, startIndex: w.offset, endIndex: w.offset + page.items.length - 1, total: page.total },
        });
      },
    },
    {
      // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1groups~1search/post`: limit ≤100 (default 20),
      // filters groupIds (≤10, exclusive with groupNames), groupNames (≤100), searchTerm (exclusive with
      // groupNames), accountIds (members, ≤10), directoryIds (≤10); expand counts.users / counts.resources.
      method: 'POST',
      path: '/admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('groups', ctx);
        if (bad) return bad;
        const dir = directoryParam(ctx);
        if (isResult(dir)) return dir;
        const b = searchBody(ctx);
        if (isResult(b)) return b;
        noteLimit('POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search', b.limit);
        const w = v2Window(b, 'groups', 20, V2_MAX);
        if (isResult(w)) return w;
        const expand = stringList(b, 'expand', 2, GROUP_EXPAND);
        const ids = stringList(b, 'groupIds', 10);
        const names = stringList(b, 'groupNames', 100);
        const accounts = stringList(b, 'accountIds', 10);
        const dirs = stringList(b, 'directoryIds', 10);
        for (const x of [expand, ids, names, accounts, dirs]) if (isResult(x)) return x;
        const term = typeof b.searchTerm === 'string' ? b.searchTerm.toLowerCase() : '';
        if ((ids && names) || (names && term)) return appError(400, 'ADMIN-400-24', 'Invalid request body', 'groupNames is mutually exclusive with groupIds and searchTerm.');
        const idSet = Array.isArray(ids) ? new Set(ids) : null;
        const nameSet = Array.isArray(names) ? new Set(names.map((n) => n.toLowerCase())) : null;
        const memberSet = Array.isArray(accounts) ? new Set(accounts.map((a) => accountIndex.get(a) ?? -1)) : null;
        const dirSet = Array.isArray(dirs) ? new Set(dirs) : null;
        const list = groups.filter(
          (g) =>
            (dir === null || g.directory === dir) &&
            (!idSet || idSet.has(g.id)) &&
            (!nameSet || nameSet.has(g.name.toLowerCase())) &&
            (!term || g.name.toLowerCase().includes(term)) &&
            (!dirSet || dirSet.has(model.directories[g.directory]?.directoryId ?? '')) &&
            (!memberSet || Array.from(g.members).some((u) => memberSet.has(u))),
        );
        const ex = new Set(Array.isArray(expand) ? expand : []);
        return v2Page(ctx, 'groups', list, w, (g) => groupJson(g, ex));
      },
    },
    {
      // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1users~1search/post`: limit ≤100 (default 50);
      // filters accountIds (≤10), groupIds (≤10; bare ids or ARIs), emails (≤100, exclusive with
      // searchTerm), emailDomains (≤10), accountStatus (≤3), membershipStatus (≤3), status (≤4),
      // claimStatus, mfaEnabled; expand groups / productAccess / platformRoles / counts.resources. Sorted by
      // nickname by default; the simulator's order is simply stable, which is all a cursor client needs.
      method: 'POST',
      path: '/admin/v2/orgs/{orgId}/directories/{directoryId}/users/search',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('users', ctx);
        if (bad) return bad;
        const dir = directoryParam(ctx);
        if (isResult(dir)) return dir;
        const b = searchBody(ctx);
        if (isResult(b)) return b;
        noteLimit('POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search', b.limit);
        const w = v2Window(b, 'users', 50, V2_MAX);
        if (isResult(w)) return w;
        const expand = stringList(b, 'expand', 4, USER_EXPAND);
        const accounts = stringList(b, 'accountIds', 10);
        const groupIds = stringList(b, 'groupIds', 10);
        const emails = stringList(b, 'emails', 100);
        const domains = stringList(b, 'emailDomains', 10);
        const accountStatus = stringList(b, 'accountStatus', 3, ACCOUNT_STATUS);
        const membershipStatus = stringList(b, 'membershipStatus', 3, MEMBERSHIP_STATUS);
        const status = stringList(b, 'status', 4, ['active', 'suspended', 'not_invited', 'deactivated', 'for_deletion']);
        for (const x of [expand, accounts, groupIds, emails, domains, accountStatus, membershipStatus, status]) if (isResult(x)) return x;
        const term = typeof b.searchTerm === 'string' ? b.searchTerm.toLowerCase() : '';
        if (term && emails) return appError(400, 'ADMIN-400-24', 'Invalid request body', '`searchTerm` and `emails` are mutually exclusive.');
        const claim = b.claimStatus;
        if (claim !== undefined && claim !== 'managed' && claim !== 'unmanaged') return appError(400, 'ADMIN-400-24', 'Invalid request body', "'claimStatus' must be managed or unmanaged.");
        const mfa = b.mfaEnabled;
        const accountSet = Array.isArray(accounts) ? new Set(accounts) : null;
        const groupSet = Array.isArray(groupIds) ? new Set(groupIds.map((g) => (g.startsWith('ari:cloud:identity::group/') ? g.slice('ari:cloud:identity::group/'.length) : g))) : null;
        const emailSet = Array.isArray(emails) ? new Set(emails.map((e) => e.toLowerCase())) : null;
        const domainSet = Array.isArray(domains) ? domains.map((d) => `@${d.toLowerCase().replace(/^@/, '')}`) : null;
        const match = (i: number): boolean => {
          if (dir !== null && users.home[i] !== dir) return false;
          if (accountSet && !accountSet.has(users.accountId(i))) return false;
          if (groupSet && !groupsOf(model, i).some((g) => groupSet.has(groups[g]?.id ?? ''))) return false;
          const email = users.email(i)?.toLowerCase() ?? null;
          if (emailSet && (email === null || !emailSet.has(email))) return false;
          if (domainSet && (email === null || !domainSet.some((d) => email.endsWith(d)))) return false;
          if (Array.isArray(accountStatus) && !accountStatus.includes(users.accountStatus(i))) return false;
          if (Array.isArray(membershipStatus) && !membershipStatus.includes(users.membershipStatus(i))) return false;
          if (Array.isArray(status) && !status.includes(users.status(i))) return false;
          if (claim !== undefined && (claim === 'managed') !== users.isManaged(i)) return false;
          if (typeof mfa === 'boolean' && users.mfaEnabled(i) !== mfa) return false;
          if (term && !users.name(i).toLowerCase().includes(term) && !(email ?? '').includes(term)) return false;
          return true;
        };
        const filtered = dir === null && !accountSet && !groupSet && !emailSet && !domainSet && !accountStatus && !membershipStatus && !status && claim === undefined && mfa === undefined && !term;
        const list = filtered ? allUserIndexes : allUserIndexes.filter(match);
        const ex = new Set(Array.isArray(expand) ? expand : []);
        return v2Page(ctx, 'users', list, w, (i) => userJson(i, ex, dir));
      },
    },
    {
      // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1groups~1{groupId}~1role-assignments/get`: style A2
      // on GET, limit 1..100 (default 20), "If [cursor] present, all other parameters are discarded"; filters
      // resourceOwners (≤10), resourceIds (≤20), roleIds (≤10). 404 for an unknown (deleted) group.
      method: 'GET',
      path: '/admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments',
      paged: true,
      handle: (ctx) => {
        const bad = checkOrg(ctx) ?? deny('groups', ctx);
        if (bad) return bad;
        const dir = directoryParam(ctx);
        if (isResult(dir)) return dir;
        const g = groupById.get(ctx.params.groupId ?? '');
        if (!g || g.vanishing || (dir !== null && g.directory !== dir)) return appError(404, 'ADMIN-404-10', 'Group not found');
        const cursor = ctx.query.get('cursor');
        let w: Window;
        if (cursor !== null) {
          const c = decodeCursor(seed, `group-roles-${g.id}`, cursor);
          if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
          w = c;
        } else {
          const raw = ctx.query.get('limit');
          const limit = raw === null ? 20 : Number(raw);
          if (raw !== null) noteLimit('GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments', limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > V2_MAX) return appError(400, 'ADMIN-400-24', 'Invalid request', `'limit' must be an integer between 1 and ${V2_MAX}.`);
          w = { offset: 0, limit };
        }
        const owners = cursor === null ? ctx.query.getAll('resourceOwners') : [];
        const roleIds = cursor === null ? ctx.query.getAll('roleIds') : [];
        const list = g.roleAssignments.filter(
          (a) => (!owners.length || owners.includes(workspaces[a.workspace]?.typeKey ?? '')) && (!roleIds.length || a.roles.some((r) => roleIds.includes(r))),
        );
        return v2Page(ctx, `group-roles-${g.id}`, list, w, (a) => {
          const ws = workspaces[a.workspace];
          return { resourceId: ws?.id, resourceOwner: ws?.typeKey, roles: a.roles, defaultRole: a.defaultRole };
        });
      },
    },
    {
      // `admin-user-management.json#/paths/~1users~1{account_id}~1manage~1api-tokens/get`: unpaged array of
      // ApiTokenModel. 403 Forbidden.Action (`forbidden.targetUnverified` for an account the org does not
      // manage), 404 NotFound.Account (`accountNotFound`: unknown, closed, or removed since it was listed).
      method: 'GET',
      path: '/users/{account_id}/manage/api-tokens',
      handle: (ctx) => {
        const denied = deny('api-tokens', ctx);
        if (denied) return denied;
        const i = accountIndex.get(ctx.params.account_id ?? '');
        if (i === undefined || model.vanishing.has(i) || users.accountStatus(i) === 'closed') return { status: 404, body: { key: 'accountNotFound' } };
        if (!users.isManaged(i)) return { status: 403, body: { key: 'forbidden.targetUnverified' } };
        return ok(
          users.tokens(i).map((t) => {
            const out: Json = { label: t.label };
            if (t.lastAccess !== undefined) out.lastAccess = t.lastAccess;
            out.createdAt = t.createdAt;
            out.id = t.id;
            if (t.expiry !== undefined) out.expiry = t.expiry;
            return out;
          }),
        );
      },
    },
  ];

  return {
    name: 'admin',
    // Org admin API key as Bearer only (facts sheet §2; both specs' `security: bearerAuth`).
    auth: { basic: false, bearer: true },
    errorBody: adminErrorBody,
    budget: adminRateLimit((status, message) => adminErrorBody(status, message), opts.rateLimit),
    routes,
    model,
    requestedLimits: () => Object.fromEntries([...asked].map(([k, v]) => [k, [...v].sort((a, b) => a - b)])),
    groundTruth: (o) => groundTruth(model, o?.apiTokens ?? 'managed'),
    minimumRequests: (o) => minimumRequests(model, o?.apiTokens ?? 'managed'),
  };
}

/** Tokens the organization listing returns: every token of a managed account that is not closed. */
function listedTokens(model: AdminModel): { i: number; t: AdminTokenRecord }[] {
  const out: { i: number; t: AdminTokenRecord }[] = [];
  for (let i = 0; i < model.users.count; i++) {
    if (!model.users.isManaged(i) || model.users.accountStatus(i) === 'closed') continue;
    for (const t of model.users.tokens(i)) out.push({ i, t });
  }
  return out;
}

/** A few tokens are blocked by an admin (API Access `status` ALLOWED | BLOCKED). */
function tokenStatus(model: AdminModel, i: number, t: AdminTokenRecord): 'ALLOWED' | 'BLOCKED' {
  return hash32(model.seed, 'tblocked', i, t.id) % 20 === 0 ? 'BLOCKED' : 'ALLOWED';
}

// ---------------------------------------------------------------------------------------------
// Ground truth and request count (the contract with the collector)

type Rows<T> = RowInput<T>[];

/** Accounts whose API tokens the collector reads with `mode`: managed, and not closed (or active only). */
function tokenAccount(users: AdminUsers, i: number, mode: 'managed' | 'active' | 'none'): boolean {
  if (mode === 'none' || !users.isManaged(i)) return false;
  return mode === 'active' ? users.accountStatus(i) === 'active' : users.accountStatus(i) !== 'closed';
}

export function groundTruth(model: AdminModel, apiTokens: 'managed' | 'active' | 'none' = 'managed'): Record<string, Record<string, unknown>[]> {
  const { users, groups, workspaces } = model;
  // The organization listing fills admin_api_tokens unless the key may not read it (then per account).
  const listing = !model.forbidden.has('org-api-tokens');
  const orgs: Rows<typeof adminOrgs> = [{ org_id: model.orgId, name: model.orgName }];
  const directories: Rows<typeof adminDirectories> = model.directories.map((d) => ({ directory_id: d.directoryId, name: d.name }));
  const domains: Rows<typeof adminDomains> = model.domains.map((d) => ({ domain_id: d.id, name: d.name, claim_type: d.claim?.type ?? null, claim_status: d.claim?.status ?? null }));
  const ws: Rows<typeof adminWorkspaces> = workspaces.map((w) => ({
    workspace_id: w.id,
    cloud_id: w.cloudId,
    name: w.name,
    type: w.type,
    type_key: w.typeKey,
    host_url: w.hostUrl,
    status: w.status,
    created_at: w.createdAt === undefined ? null : new Date(w.createdAt).toISOString(),
  }));
  const policies: Rows<typeof adminPolicies> = model.policies.map((p) => ({ policy_id: p.id, name: p.name ?? null, type: p.type, status: p.status ?? null, rule_in: p.ruleIn ?? [] }));
  const policyResources: Rows<typeof adminPolicyResources> = model.policies.flatMap((p) => (p.resources ?? []).map((r) => ({ policy_id: p.id, resource_id: r.id, application_status: r.applicationStatus })));
  const groupRows: Rows<typeof adminGroups> = groups.map((g) => ({
    group_id: g.id,
    name: g.name,
    description: g.description ?? null,
    directory_id: model.directories[g.directory]?.directoryId ?? null,
    managed_by: g.managedBy,
    synced: g.externalSynced,
    member_count: g.members.length,
    resource_count: g.resources,
  }));
  const roleRows: Rows<typeof adminGroupRoleAssignments> = groups.flatMap((g) =>
    g.vanishing
      ? []
      : g.roleAssignments.flatMap((a): Rows<typeof adminGroupRoleAssignments> => {
          const w = workspaces[a.workspace];
          const base = { group_id: g.id, resource_id: w?.id ?? null, resource_owner: w?.typeKey ?? null, cloud_id: w?.cloudId ?? null, default_role: a.defaultRole };
          return a.roles.length ? a.roles.map((role) => ({ ...base, role })) : [{ ...base, role: null }];
        }),
  );
  const memberRows: Rows<typeof adminGroupMembers> = groups.flatMap((g) => Array.from(g.members, (u) => ({ group_id: g.id, account_id: users.accountId(u), group_name: g.name })));

  const userRows: Rows<typeof adminUsers> = [];
  const accessRows: Rows<typeof adminUserProductAccess> = [];
  const tokenRows: Rows<typeof adminApiTokens> = [];
  for (let i = 0; i < users.count; i++) {
    const accountId = users.accountId(i);
    const access = users.productAccess(i, workspaces);
    const latest = access.map((p) => p.lastActiveNorm).filter((t): t is string => t !== null).sort().pop() ?? null;
    const added = users.addedToOrg(i);
    userRows.push({
      account_id: accountId,
      account_type: 'atlassian',
      account_status: users.accountStatus(i),
      membership_status: users.membershipStatus(i),
      status: users.status(i),
      claim_status: users.isManaged(i) ? 'managed' : 'unmanaged',
      management_source: users.managementSource(i) ?? null,
      email: users.email(i),
      email_verified: users.emailVerified(i),
      name: users.name(i),
      nickname: users.nickname(i) ?? null,
      mfa_enabled: users.mfaEnabled(i),
      added_to_org: added === null ? null : new Date(added).toISOString(),
      last_active: latest,
      platform_roles: users.platformRoles(i),
    });
    for (const p of access) {
      const w = workspaces[p.workspace];
      accessRows.push({ account_id: accountId, product_key: w?.productKey ?? null, resource_id: w?.id ?? null, cloud_id: w?.cloudId ?? null, last_active: p.lastActiveNorm });
    }
    if (!listing && tokenAccount(users, i, apiTokens) && !model.vanishing.has(i)) {
      for (const t of users.tokens(i)) {
        tokenRows.push({ account_id: accountId, token_id: t.id, label: t.label, created_at: t.createdAtNorm, last_access: t.lastAccessNorm, expires_at: t.expiryNorm, status: null, source: 'per-account' });
      }
    }
  }
  if (listing && apiTokens !== 'none') {
    for (const { i, t } of listedTokens(model)) {
      tokenRows.push({ account_id: users.accountId(i), token_id: t.id, label: t.label, created_at: t.createdAtNorm, last_access: t.lastAccessNorm, expires_at: t.expiryNorm, status: tokenStatus(model, i, t), source: 'org-listing' });
    }
  }
  const saAllowed = !model.forbidden.has('service-accounts');
  const credsAllowed = saAllowed && !model.forbidden.has('service-account-credentials');
  const saRows: Rows<typeof adminServiceAccounts> = saAllowed
    ? model.serviceAccounts.map((a) => ({
        service_account_id: a.id,
        account_id: a.atlassianId,
        email: a.email,
        display_name: a.displayName,
        status: a.status,
        description: a.description ?? null,
        created_by_id: a.createdById,
        updated_at: new Date(a.updatedAt).toISOString(),
      }))
    : [];
  const saTokenRows: Rows<typeof adminServiceAccountApiTokens> = credsAllowed
    ? model.serviceAccounts.flatMap((a) =>
        a.tokens.map((t) => ({ service_account_id: a.id, token_id: t.id, label: t.label, status: t.status, created_at: t.createdAt, last_access: t.lastActiveAt ?? null, expires_at: t.expiresAt ?? null })),
      )
    : [];
  const saClientRows: Rows<typeof adminServiceAccountOauthClients> = credsAllowed
    ? model.serviceAccounts.flatMap((a) =>
        a.clients.map((c) => ({ service_account_id: a.id, client_id: c.clientId, name: c.name, status: c.status, created_at: new Date(c.createdAt).toISOString(), updated_at: new Date(c.updatedAt).toISOString() })),
      )
    : [];

  return {
    admin_orgs: orgs,
    admin_directories: directories,
    admin_domains: domains,
    admin_workspaces: ws,
    admin_policies: policies,
    admin_policy_resources: policyResources,
    admin_groups: groupRows,
    admin_group_role_assignments: roleRows,
    admin_users: userRows,
    admin_user_product_access: accessRows,
    admin_group_members: memberRows,
    admin_api_tokens: tokenRows,
    admin_service_accounts: saRows,
    admin_service_account_api_tokens: saTokenRows,
    admin_service_account_oauth_clients: saClientRows,
  };
}

/**
 * Requests a perfect client needs at the maximum page sizes, with no faults: organization + directories
 * pages (100) + domains pages (server page size) + workspaces pages (1000) + policies pages (server page
 * size) + groups/search pages (100) + per group its role-assignments pages (100; a 404 for each vanishing
 * group) + users/search pages (100, memberships and product access included) + the API token listing's
 * pages (server page size) or, when it is refused, that refused request + the managed accounts' users/search
 * pages (100) + one API token request per managed, not closed account (a 404 for each vanishing one) +
 * service account pages and, per service account, its token and OAuth client pages (a refusal is one request).
 * Cursor styles end on a missing `links.next`, so there is no trailing empty page.
 */
export function minimumRequests(model: AdminModel, apiTokens: 'managed' | 'active' | 'none' = 'managed'): number {
  const pages = (n: number, size: number): number => Math.max(1, Math.ceil(n / size));
  let n = 1;
  n += pages(model.directories.length, V2_MAX);
  n += pages(model.domains.length, model.v1PageSize);
  n += pages(model.workspaces.length, WORKSPACES_MAX);
  n += pages(model.policies.length, model.v1PageSize);
  n += pages(model.groups.length, V2_MAX);
  for (const g of model.groups) n += g.vanishing ? 1 : pages(g.roleAssignments.length, V2_MAX);
  n += pages(model.users.count, V2_MAX);
  if (apiTokens !== 'none') {
    if (!model.forbidden.has('org-api-tokens')) n += pages(listedTokens(model).length, model.accessPageSize);
    else {
      let managed = 0;
      for (let i = 0; i < model.users.count; i++) if (tokenAccount(model.users, i, apiTokens)) managed++;
      n += 1 + pages(managed, V2_MAX) + managed;
    }
  }
  n += model.forbidden.has('service-accounts') ? 1 : pages(model.serviceAccounts.length, model.accessPageSize);
  if (!model.forbidden.has('service-accounts')) {
    for (const a of model.serviceAccounts) n += model.forbidden.has('service-account-credentials') ? 2 : pages(a.tokens.length, model.accessPageSize) + pages(a.clients.length, model.accessPageSize);
  }
  return n;
}
