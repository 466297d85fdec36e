/**
 * The products the benchmark and the fault matrix run over. Adding a product is one entry in
 * {@link BENCH_PRODUCTS}: its module, a simulated-tenant factory per size, the unit and credentials that
 * collect it, and the published (or assumed) rate-limit profile it runs under.
 */
import type { Product, Unit } from '../../shared/config.ts';
import type { ProductModule } from '../../shared/engine/collect.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import type { ProductSim } from '../../simulator/server.ts';
import {
  adminTenant,
  assetsTenant,
  bitbucketTenant,
  CONFLUENCE_DC_TOKENS,
  confluenceDcTenant,
  confluenceTenant,
  DEFAULT_CREDENTIALS,
  JIRA_DC_TOKENS,
  jiraDcTenant,
  jiraTenant,
  jsmTenant,
  opsgenieTenant,
  trelloTenant,
} from '../../simulator/index.ts';
import { productModules } from '../../functions/index.ts';

export type Size = 'S' | 'M' | 'L';
export const SIZES: readonly Size[] = ['S', 'M', 'L'];

/** What the harness needs from a simulated tenant, whatever the product. */
export interface BenchTenant {
  readonly sim: ProductSim;
  groundTruth(): Record<string, Record<string, unknown>[]>;
  minimumRequests(): number;
  /** Parents the tenant deletes between listing and child request (each is one skipped parent). */
  readonly vanishing: number;
  /** Scale of the tenant, for the results table. */
  readonly describe: string;
  /** Extra unit fields (e.g. the Admin org id). */
  readonly unitExtra?: Partial<Unit>;
  /** Path of the tenant's own OAuth token endpoint (Bitbucket client credentials). */
  readonly tokenPath?: string;
  /** Data Center context path the site is served under (`/jira`). */
  readonly contextPath?: string;
}

/** Common tenant dimensions; each product takes the ones it has. */
export interface TenantShape {
  users: number;
  groups: number;
  memberships: number;
  projects: number;
  spaces: number;
  repositories: number;
  vanishing: number;
}

/** S, M and L (L as issue 7 defines it). */
export const SHAPES: Readonly<Record<Size, TenantShape>> = {
  S: { users: 2_000, groups: 50, memberships: 10_000, projects: 30, spaces: 20, repositories: 100, vanishing: 1 },
  M: { users: 20_000, groups: 500, memberships: 150_000, projects: 300, spaces: 200, repositories: 1_000, vanishing: 2 },
  L: { users: 200_000, groups: 5_000, memberships: 1_500_000, projects: 3_000, spaces: 2_000, repositories: 10_000, vanishing: 3 },
};

/**
 * Rate limit and latency a product runs under, in real-world units, with where each figure comes from
 * (facts sheet `../shared/atlassian-openapi/README.md` §9).
 */
export interface Profile {
  /** Sustained requests per second per tenant. */
  readonly perSecond: number;
  /** Token-bucket size. */
  readonly burst: number;
  /** Round-trip time of one request (ms). */
  readonly latencyMs: number;
  readonly source: string;
}

/** Bitbucket's scaled limit for large workspaces (facts sheet §9: 1,000 + 10 per paid seat above 100, at most 10,000/h). */
export const BITBUCKET_SCALED_HOURLY = 10_000;

/** Not published anywhere Atlassian commits to; a typical round trip of a Cloud REST list page. */
export const ASSUMED_LATENCY_MS = 200;

export interface BenchProduct {
  readonly product: Product;
  readonly module: ProductModule;
  /**
   * A simulated tenant of this shape; `accessUses`: how many requests its OAuth access tokens really work for;
   * `budget`: the product's documented budget made small, in its own unit (points of Atlassian's quota, counting
   * every credential; requests per minute of the Admin API; requests per token window of Trello, the key's three
   * times that; requests per hour of Bitbucket, which the unit is then configured with). Products without a
   * documented budget ignore it.
   */
  tenant(shape: TenantShape, seed: number, opts?: { accessUses?: number; budget?: number }): BenchTenant;
  /** How the collector reaches the tenant (basic auth on the site by default). */
  unit(simUrl: string, tenant: BenchTenant, org: string): Unit;
  credentials(): Credentials;
  /** Gateway name for bearer tokens through `/ex/{gateway}/{cloudId}` (Jira, Confluence); null: bearer on the API host. */
  readonly gateway: string | null;
  /**
   * Credentials whose access token expires mid-run and that the collector renews: OAuth 2.0 (3LO) through the
   * gateway (`oauthApp` added to the simulator), or Bitbucket client credentials. null when the product has none.
   */
  readonly refreshable: 'oauth2' | 'client-credentials' | null;
  /** Tables the module does not collect through the gateway (UPM answers on the site URL only). */
  readonly gatewayOmits?: readonly string[];
  /**
   * How its credential stops working mid-run. 'access-token': the simulator revokes a runtime-issued bearer
   * token while requests are in flight (products that take OAuth/API-key bearer tokens). Otherwise a
   * credential the product answers 401 for (an expired PAT, a revoked key) replaces the good one from the
   * second invocation on, as when the secret expires while the unit is part-way.
   */
  readonly expiry: 'access-token' | { readonly credentials: () => Credentials };
  readonly profile: Profile;
  /**
   * Run against the product's documented budget (the simulator's `budgets`: Trello's 10-second windows per
   * token and key, Bitbucket's rolling hour) instead of the generic token bucket; `profile.burst` is then the
   * requests of one window and `profile.perSecond` the window's average rate.
   */
  readonly budgeted?: boolean;
  /** The documented budget's window (ms, before time compression), for budgeted products. */
  readonly budgetWindowMs?: number;
  /**
   * Time compression of the benchmark: every time quantity (latency, rate-limit window, Lambda budget) is
   * divided by this, so L finishes in minutes on 2 cores; ratios are unchanged.
   */
  readonly timeScale: number;
}

const basic = (): Credentials => ({ kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the benchmark' });
const bearer = (): Credentials => ({ kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the benchmark' });

const JIRA_PLATFORM: Profile = {
  perSecond: 10,
  burst: 10,
  latencyMs: ASSUMED_LATENCY_MS,
  source:
    'Jira & Confluence Cloud: per-second burst limit per tenant and endpoint, figure unpublished (§9); we use the one number Atlassian ' +
    'printed, the "10 calls per second" cost budget of its rate-limiting page, for the whole tenant (stricter than per endpoint)',
};

/** Atlassian's points quota made small (`budget` points), counting API-token callers too so the collector meets it. */
const quota = (o: { budget?: number } | undefined) => (o?.budget ? { quota: { points: o.budget, callers: 'every' as const } } : {});

function moduleOf(p: Product): ProductModule {
  const m = productModules[p];
  if (!m) throw new Error(`no module for ${p}`);
  return m;
}

const siteUnit = (product: Product) => (simUrl: string, t: BenchTenant, org: string): Unit => ({
  org,
  product,
  siteUrl: simUrl,
  auth: { kind: 'basic' },
  ...t.unitExtra,
});

/** Every product whose module and simulator exist. */
export const BENCH_PRODUCTS: readonly BenchProduct[] = [
  {
    product: 'jira',
    module: moduleOf('jira'),
    tenant: (s, seed, o) => {
      const t = jiraTenant({ seed, users: s.users, groups: s.groups, memberships: s.memberships, projects: s.projects, vanishingGroups: s.vanishing, vanishingProjects: s.vanishing, ...quota(o) });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: 2 * s.vanishing, describe: `${s.users} users, ${s.groups} groups, ${s.memberships} memberships, ${s.projects} projects` };
    },
    unit: siteUnit('jira'),
    credentials: basic,
    gateway: 'jira',
    refreshable: 'oauth2',
    gatewayOmits: ['jira_installed_apps'],
    expiry: 'access-token',
    profile: JIRA_PLATFORM,
    timeScale: 40,
  },
  {
    product: 'confluence',
    module: moduleOf('confluence'),
    tenant: (s, seed, o) => {
      const t = confluenceTenant({ seed, users: s.users, groups: s.groups, memberships: s.memberships, spaces: s.spaces, personalSpaces: Math.ceil(s.spaces / 20), vanishingGroups: s.vanishing, vanishingSpaces: s.vanishing, ...quota(o) });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: 2 * s.vanishing, describe: `${s.users} users, ${s.groups} groups, ${s.memberships} memberships, ${s.spaces} spaces` };
    },
    unit: siteUnit('confluence'),
    credentials: basic,
    gateway: 'confluence',
    refreshable: 'oauth2',
    gatewayOmits: ['confluence_installed_apps'],
    expiry: 'access-token',
    profile: { ...JIRA_PLATFORM, source: 'as Jira (same platform, §9)' },
    // ÷20, not ÷40: Confluence L is 1.7 M rows in 14.7 k requests (116 rows a request, twice Jira's), so at
    // ÷40 the collector's own CPU (28 s measured) rivals the compressed 36 s of rate-limit waiting and the ratio
    // measures the compression, not the client; in real time that CPU is 1.5 % of a 28-minute run.
    timeScale: 20,
  },
  {
    product: 'bitbucket',
    module: moduleOf('bitbucket'),
    tenant: (s, seed, o) => {
      // Two workspaces share the repositories (the third is the fresh, empty one the simulator adds).
      const t = bitbucketTenant({ seed, workspaces: 3, users: Math.min(s.users, 5_000), projects: Math.max(2, Math.round(s.repositories / 100)), repositories: Math.ceil(s.repositories / 2), vanishingRepositories: s.vanishing, vanishingProjects: s.vanishing, hourlyLimit: o?.budget ?? BITBUCKET_SCALED_HOURLY, ...(o?.accessUses ? { accessUses: o.accessUses } : {}) });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: 2 * s.vanishing, tokenPath: t.tokenPath, describe: `${s.repositories} repositories, ${Math.min(s.users, 5_000)} accounts`, unitExtra: { rateLimitBudget: o?.budget ?? BITBUCKET_SCALED_HOURLY } };
    },
    // The scaled budget, which Bitbucket tells no API token or OAuth consumer in a header, comes from the config.
    unit: siteUnit('bitbucket'),
    credentials: basic,
    gateway: null,
    refreshable: 'client-credentials',
    expiry: 'access-token',
    profile: {
      perSecond: BITBUCKET_SCALED_HOURLY / 3600,
      burst: BITBUCKET_SCALED_HOURLY,
      latencyMs: ASSUMED_LATENCY_MS,
      source:
        'Bitbucket Cloud: a one-hour rolling window per credential; /2.0/repositories/* 1,000 requests/h, scaled up to 10,000/h for large ' +
        'workspaces (§9, Bitbucket Cloud "API request limits"); we use 10,000 per rolling hour for every endpoint, no Retry-After, no X-RateLimit-*',
    },
    budgeted: true,
    budgetWindowMs: 3_600_000,
    timeScale: 80,
  },
  {
    product: 'admin',
    module: moduleOf('admin'),
    tenant: (s, seed, o) => {
      const t = adminTenant({ seed, users: s.users, groups: s.groups, memberships: s.memberships, vanishingUsers: s.vanishing, vanishingGroups: s.vanishing, ...(o?.budget ? { rateLimit: { perMinute: o.budget } } : {}) });
      return {
        sim: t,
        groundTruth: () => t.groundTruth(),
        minimumRequests: () => t.minimumRequests(),
        vanishing: s.vanishing,
        describe: `${s.users} users, ${s.groups} groups, ${s.memberships} memberships`,
        unitExtra: { orgId: t.model.orgId, auth: { kind: 'bearer' } },
      };
    },
    unit: (simUrl, t, org) => ({ org, product: 'admin', siteUrl: simUrl, auth: { kind: 'bearer' }, ...t.unitExtra }),
    credentials: bearer,
    gateway: null,
    refreshable: null,
    expiry: 'access-token',
    profile: {
      perSecond: 10,
      burst: 10,
      latencyMs: ASSUMED_LATENCY_MS,
      source: 'Admin API: v2 users/groups limits unverified (§9); we use the Jira figure, 10/s',
    },
    timeScale: 100,
  },
  {
    product: 'jira-dc',
    module: moduleOf('jira-dc'),
    tenant: (s, seed) => {
      const t = jiraDcTenant({ seed, users: s.users, groups: s.groups, memberships: s.memberships, projects: s.projects, vanishingGroups: s.vanishing, vanishingProjects: s.vanishing });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: 2 * s.vanishing, describe: `${s.users} users, ${s.groups} groups, ${s.memberships} memberships, ${s.projects} projects`, contextPath: '/jira' };
    },
    unit: (simUrl, t, org) => ({ org, product: 'jira-dc', siteUrl: `${simUrl}${t.contextPath ?? ''}`, auth: { kind: 'bearer' } }),
    credentials: () => ({ kind: 'bearer', token: JIRA_DC_TOKENS.admin, source: 'the benchmark' }),
    gateway: null,
    refreshable: null,
    expiry: { credentials: () => ({ kind: 'bearer', token: JIRA_DC_TOKENS.expired, source: 'the fault matrix' }) },
    profile: { ...JIRA_PLATFORM, source: 'Data Center: limits are the admin\'s own setting (none by default); we use the Jira Cloud figure' },
    timeScale: 40,
  },
  {
    product: 'confluence-dc',
    module: moduleOf('confluence-dc'),
    tenant: (s, seed) => {
      const t = confluenceDcTenant({ seed, users: s.users, groups: s.groups, memberships: s.memberships, spaces: s.spaces, vanishingGroups: s.vanishing, vanishingSpaces: s.vanishing });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: 2 * s.vanishing, describe: `${s.users} users, ${s.groups} groups, ${s.memberships} memberships, ${s.spaces} spaces`, contextPath: '/confluence' };
    },
    unit: (simUrl, t, org) => ({ org, product: 'confluence-dc', siteUrl: `${simUrl}${t.contextPath ?? ''}`, auth: { kind: 'bearer' } }),
    credentials: () => ({ kind: 'bearer', token: CONFLUENCE_DC_TOKENS.admin, source: 'the benchmark' }),
    gateway: null,
    refreshable: null,
    expiry: { credentials: () => ({ kind: 'bearer', token: CONFLUENCE_DC_TOKENS.expired, source: 'the fault matrix' }) },
    profile: { ...JIRA_PLATFORM, source: 'as Jira Data Center' },
    timeScale: 40,
  },
  {
    product: 'jsm',
    module: moduleOf('jsm'),
    tenant: (s, seed, o) => {
      const t = jsmTenant({ seed, customers: s.users, agents: Math.max(5, Math.round(s.users / 200)), serviceDesks: s.projects, organizations: s.groups, vanishingDesks: s.vanishing, vanishingOrganizations: s.vanishing, ...quota(o) });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: 2 * s.vanishing, describe: `${s.users} customers, ${s.projects} service desks, ${s.groups} organizations` };
    },
    unit: siteUnit('jsm'),
    credentials: basic,
    gateway: 'jira',
    refreshable: 'oauth2',
    expiry: 'access-token',
    profile: { ...JIRA_PLATFORM, source: 'JSM: same platform as Jira, no separate figures (§9)' },
    timeScale: 40,
  },
  {
    product: 'assets',
    module: moduleOf('assets'),
    tenant: (s, seed) => {
      const t = assetsTenant({ seed, workspaces: 1, schemas: Math.max(3, Math.round(s.projects / 2)), typesPerSchema: 4, objectsPerType: Math.max(20, Math.round(s.users / 100)), vanishingSchemas: s.vanishing });
      // Two object types by name and one by id, as a deployment config lists them.
      const sc = t.model.workspaces[0]?.schemas;
      const types = [sc?.[0]?.types[1]?.name ?? '', sc?.[0]?.types[0]?.name ?? '', sc?.[1]?.types[2]?.id ?? ''];
      return {
        sim: t,
        groundTruth: () => t.groundTruth(types),
        minimumRequests: () => t.minimumRequests(types),
        vanishing: s.vanishing,
        describe: `${Math.max(3, Math.round(s.projects / 2))} schemas × 4 types × ${Math.max(20, Math.round(s.users / 100))} objects`,
        unitExtra: { assets: { objectTypes: types } },
      };
    },
    // Assets is reached through the gateway with a bearer token (scoped token / OAuth 2.0).
    unit: (simUrl, t, org) => ({ org, product: 'assets', siteUrl: simUrl, apiBaseUrl: `${simUrl}/ex/jira/{cloudId}`, auth: { kind: 'bearer' }, ...t.unitExtra }),
    credentials: bearer,
    gateway: 'jira',
    refreshable: null,
    expiry: 'access-token',
    profile: { perSecond: 1000 / 60, burst: 17, latencyMs: ASSUMED_LATENCY_MS, source: 'Assets: 1,000 requests/min per instance per endpoint (§9)' },
    timeScale: 40,
  },
  {
    product: 'opsgenie',
    module: moduleOf('opsgenie'),
    tenant: (s, seed) => {
      const t = opsgenieTenant({ seed, users: s.users, teams: s.groups, vanishingTeams: s.vanishing });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: s.vanishing, describe: `${s.users} users, ${s.groups} teams` };
    },
    unit: (simUrl, t, org) => ({ org, product: 'opsgenie', siteUrl: simUrl, auth: { kind: 'genie-key' }, ...t.unitExtra }),
    credentials: () => ({ kind: 'genie-key', apiKey: DEFAULT_CREDENTIALS.genieKey ?? '', source: 'the benchmark' }),
    gateway: null,
    refreshable: null,
    expiry: { credentials: () => ({ kind: 'genie-key', apiKey: 'sim-genie-key-revoked', source: 'the fault matrix' }) },
    profile: { ...JIRA_PLATFORM, source: 'Opsgenie: no figure in the facts sheet; we use the Jira figure' },
    timeScale: 40,
  },
  {
    product: 'trello',
    module: moduleOf('trello'),
    tenant: (s, seed, o) => {
      const t = trelloTenant({ seed, members: Math.min(s.users, 2_000), workspaces: 3, boards: Math.max(4, Math.round(s.projects / 3)), vanishingBoards: s.vanishing, ...(o?.budget ? { rateLimits: { tokenMax: o.budget, keyMax: 3 * o.budget, intervalMs: 10_000 } } : {}) });
      return { sim: t, groundTruth: () => t.groundTruth(), minimumRequests: () => t.minimumRequests(), vanishing: s.vanishing, describe: `${Math.min(s.users, 2_000)} members, ${Math.max(4, Math.round(s.projects / 3))} boards per workspace` };
    },
    unit: (simUrl, t, org) => ({ org, product: 'trello', siteUrl: simUrl, auth: { kind: 'trello' }, ...t.unitExtra }),
    credentials: () => ({ kind: 'trello', apiKey: DEFAULT_CREDENTIALS.trelloKey ?? '', token: DEFAULT_CREDENTIALS.trelloToken ?? '', source: 'the benchmark' }),
    gateway: null,
    refreshable: null,
    expiry: { credentials: () => ({ kind: 'trello', apiKey: DEFAULT_CREDENTIALS.trelloKey ?? '', token: 'sim-trello-token-revoked', source: 'the fault matrix' }) },
    profile: {
      perSecond: 10,
      burst: 100,
      latencyMs: ASSUMED_LATENCY_MS,
      source:
        'Trello "Rate Limits" guide: 100 requests per 10 s per token, 300 per key, told in x-rate-limit-api-{token,key}-* headers; 429 without Retry-After',
    },
    budgeted: true,
    budgetWindowMs: 10_000,
    // ÷10, not ÷40: at ÷40 Trello's window is 250 ms and L's 2,000 requests take the collector's own CPU about
    // as long as the budget's waiting, so the ratio would measure the compression, not the pacing.
    timeScale: 10,
  },
];

export function benchProduct(p: Product): BenchProduct {
  const b = BENCH_PRODUCTS.find((x) => x.product === p);
  if (!b) throw new Error(`no benchmark entry for ${p}`);
  return b;
}
