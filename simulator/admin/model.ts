// Simulated Admin tenant: the tenant's data and its generator (simulator/admin.ts has the overview).
import type { ProductSim } from '../server.ts';
import type { AdminRateLimitOptions } from '../atlassian-quota.ts';
import type { AdminEventLog, AdminEventsOptions } from '../admin-events.ts';
import { hash32, hex8, Rng, scramble32, unit, uuidFrom } from '../random.ts';
import { FIRST_NAMES as FIRST, LAST_NAMES as LAST } from '../names.ts';

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
  /** The organization audit log (simulator/admin-events.ts): background events, or a plan without it (403). */
  audit?: AdminEventsOptions;
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
export const V2_MAX = 100;
/** Workspaces `limit`: `minimum: 1, maximum: 1000, default: 20`. */
export const WORKSPACES_MAX = 1000;

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
  /** The organization audit log; its rows depend on the window collected: simulator/admin-events.ts `adminEventsTruth`. */
  audit: AdminEventLog;
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

export const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'Иван Петров', 'محمد الأحمد', 'José Núñez 🚀', '김민준', "Seán O'Brien-Smith", 'Dwayne "The Rock" Back\\slash', 'Ngô Bảo Châu'];
export const ACCOUNT_STATUS: readonly AdminAccountStatus[] = ['active', 'inactive', 'closed'];
export const MEMBERSHIP_STATUS: readonly AdminMembershipStatus[] = ['active', 'suspended', 'no_membership'];
export const PLATFORM_ROLES = [null, 'atlassian/org-admin', 'atlassian/site-admin', 'atlassian/user-access-admin'] as const;
export const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
export const DAY = 86_400_000;

export const F_MANAGED = 1;
export const F_FOR_DELETION = 2;
export const F_EMAIL_HIDDEN = 4;
export const F_EMAIL_UNVERIFIED = 8;
export const F_MFA = 16;
export const F_NO_NICKNAME = 32;

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

  /** Suspends (`suspended`) or restores (`active`) the account's membership: simulator/admin-events.ts logs it. */
  setMembershipStatus(i: number, status: 'active' | 'suspended'): void {
    if (i < 0 || i >= this.count) throw new RangeError(`admin: no account ${i}`);
    this.membership[i] = MEMBERSHIP_STATUS.indexOf(status);
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

export const GROUP_WORDS_A = ['team', 'squad', 'guild', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
export const GROUP_WORDS_B = ['alpha', 'berlin', 'cobalt', 'delta', 'emea', 'falcon', 'apac', 'platform', 'mobile', 'web', 'infra', 'contractors'];
export const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team', 'ventas/méxico', 'grupa+testowa'];
export const SPECIAL_GROUPS = ['org-admins', 'jira-users-acme', 'confluence-users-acme', 'empty-group', 'okta-engineering'];

export function clampInt(v: number | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

export function generateModel(opts: AdminTenantOptions): AdminModel {
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
  // Groups deleted between groups/search and their role-assignments request: taken from the end, among groups
  // with role assignments (a client asks no role assignments of a group whose counts.resources is 0).
  for (let k = 0, g = groups.length - 1; k < clampInt(opts.vanishingGroups, 0, 0) && g >= SPECIAL_GROUPS.length; g--) {
    const rec = groups[g];
    if (!rec || rec.roleAssignments.length === 0) continue;
    rec.vanishing = true;
    k++;
    g -= 2;
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

/**
 * Adds user `u` to group `g` (`member` true) or removes it, keeping the per-user index in step; false when
 * nothing changed. Rebuilds the index (O(memberships)): meant for the few changes a test makes between two
 * collections (simulator/admin-events.ts logs each one).
 */
export function setGroupMember(model: AdminModel, g: AdminGroupRecord, u: number, member: boolean): boolean {
  if (u < 0 || u >= model.users.count) throw new RangeError(`admin: no account ${u}`);
  const has = g.members.includes(u);
  if (has === member) return false;
  g.members = member ? Int32Array.from([...g.members, u]).sort() : g.members.filter((m) => m !== u);
  const count = model.users.count;
  const start = new Int32Array(count + 1);
  for (const x of model.groups) for (const m of x.members) start[m + 1] = (start[m + 1] ?? 0) + 1;
  for (let i = 0; i < count; i++) start[i + 1] = (start[i + 1] ?? 0) + (start[i] ?? 0);
  const total = start[count] ?? 0;
  const index = new Int32Array(total);
  const fill = start.slice(0, count);
  for (const x of model.groups) {
    for (const m of x.members) {
      const at = fill[m] ?? 0;
      index[at] = x.index;
      fill[m] = at + 1;
    }
  }
  model.userGroupStart = start;
  model.userGroups = index;
  model.membershipCount = total;
  return true;
}

export function groupsOf(model: AdminModel, u: number): number[] {
  return Array.from(model.userGroups.subarray(model.userGroupStart[u] ?? 0, model.userGroupStart[u + 1] ?? 0));
}

/** Tokens the organization listing returns: every token of a managed account that is not closed. */
export function listedTokens(model: AdminModel): { i: number; t: AdminTokenRecord }[] {
  const out: { i: number; t: AdminTokenRecord }[] = [];
  for (let i = 0; i < model.users.count; i++) {
    if (!model.users.isManaged(i) || model.users.accountStatus(i) === 'closed') continue;
    for (const t of model.users.tokens(i)) out.push({ i, t });
  }
  return out;
}

/** A few tokens are blocked by an admin (API Access `status` ALLOWED | BLOCKED). */
export function tokenStatus(model: AdminModel, i: number, t: AdminTokenRecord): 'ALLOWED' | 'BLOCKED' {
  return hash32(model.seed, 'tblocked', i, t.id) % 20 === 0 ? 'BLOCKED' : 'ALLOWED';
}
