/**
 * The contract every product meets, over every product (test/support/contract-kit.ts): exact tables with faults on,
 * resume at every page boundary. What is particular to a product stays in test/integration/<product>.test.ts.
 */
import { expect } from 'vitest';
import { assets } from '../../functions/assets.ts';
import { assetsTables } from '../../functions/assets.tables.ts';
import { bitbucket } from '../../functions/bitbucket.ts';
import { bitbucketTables } from '../../functions/bitbucket.tables.ts';
import { confluence } from '../../functions/confluence.ts';
import { confluenceDc } from '../../functions/confluence-dc.ts';
import { confluenceTables } from '../../functions/confluence.tables.ts';
import { jira } from '../../functions/jira.ts';
import { jiraDc } from '../../functions/jira-dc.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import { jsm } from '../../functions/jsm.ts';
import { jsmTables } from '../../functions/jsm.tables.ts';
import { jsmOps } from '../../functions/jsm-ops.ts';
import { jsmOpsTables } from '../../functions/jsm-ops.tables.ts';
import { opsgenie } from '../../functions/opsgenie.ts';
import { opsgenieTables } from '../../functions/opsgenie.tables.ts';
import { trello } from '../../functions/trello.ts';
import { trelloTables } from '../../functions/trello.tables.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import {
  assetsTenant,
  bitbucketTenant,
  CONFLUENCE_DC_TOKENS,
  confluenceDcTenant,
  confluenceTenant,
  DEFAULT_CREDENTIALS,
  DEFAULT_LIMITED_CREDENTIALS,
  JIRA_DC_TOKENS,
  jiraDcTenant,
  jiraTenant,
  jsmOpsTenant,
  jsmTenant,
  opsgenieTenant,
  trelloTenant,
} from '../../simulator/index.ts';
import { moreThanHalfOf, permissionContracts, productContracts, wrongTokenContracts, type PermissionContract, type ProductContract } from '../support/contract-kit.ts';
import { tempDirs } from '../support/tmp.ts';

const basic: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const bearer: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const pat = (token: string): Credentials => ({ kind: 'bearer', token, source: 'the test' });
const ALL_FAULTS = ['5xx', 'reset', 'slow', 'truncated', 'shortPage'] as const;
/** The faults of the Atlassian Cloud suites: 15 % of requests, a 1.5 s stall, and a burst bucket telling X-RateLimit-*. */
const cloudFaults = (seed: number) => ({ seed, rateLimit: { perSecond: 100 }, faults: { rate: 0.15, slowMs: 1500, maxPerRequest: 2 } });

const jiraT = jiraTenant({ seed: 11, users: 2600, groups: 30, memberships: 900, projects: 8, vanishingGroups: 1, vanishingProjects: 1 });
const jsmT = jsmTenant({ seed: 11, customers: 260, agents: 9, serviceDesks: 7, organizations: 9, vanishingDesks: 1, vanishingOrganizations: 1 });
const confluenceT = confluenceTenant({ seed: 11, users: 1300, groups: 22, memberships: 2400, spaces: 14, personalSpaces: 4, vanishingGroups: 1, vanishingSpaces: 1, vanishingUsers: 2 });
// Bitbucket's rolling hour, 3,600 times shorter (1 s), with the budget of 60 requests the unit's config states.
const bitbucketT = bitbucketTenant({ seed: 11, workspaces: 3, users: 140, projects: 4, repositories: 14, vanishingRepositories: 2, vanishingProjects: 1, hourlyLimit: 60 });
const assetsT = assetsTenant({ seed: 11, workspaces: 1, schemas: 30, typesPerSchema: 4, objectsPerType: 130, vanishingSchemas: 1 });
/** Types to collect: the multi-page type, the empty abstract one, and one by id. */
const assetsTypes = ((): string[] => {
  const s = assetsT.model.workspaces[0]?.schemas[0];
  return [s?.types[1]?.name ?? '', s?.types[0]?.name ?? '', assetsT.model.workspaces[0]?.schemas[1]?.types[2]?.id ?? ''];
})();
// Seed 22 at this size and rate draws every fault kind (5xx, reset, slow, truncated, shortPage).
const opsgenieT = opsgenieTenant({ seed: 22, users: 480, teams: 7, vanishingTeams: 2 });
const jsmOpsT = jsmOpsTenant({ seed: 23, teams: 7, vanishingTeams: 2, schedules: 140, integrations: 60 });
const trelloT = trelloTenant({ seed: 31, members: 90, workspaces: 3, boards: 7, vanishingBoards: 2, rateLimits: { tokenMax: 10, keyMax: 30, intervalMs: 10_000 } });
const TRELLO_KEY = DEFAULT_CREDENTIALS.trelloKey ?? '';
const TRELLO_TOKEN = DEFAULT_CREDENTIALS.trelloToken ?? '';
const jiraDcT = jiraDcTenant({ seed: 11, users: 2300, groups: 14, memberships: 700, projects: 6, vanishingGroups: 1, vanishingProjects: 1 });
const confluenceDcT = confluenceDcTenant({ seed: 11, users: 900, groups: 10, memberships: 500, spaces: 14, vanishingGroups: 1, vanishingSpaces: 1 });

const cases: ProductContract[] = [
  {
    product: 'jira',
    tenant: jiraT,
    truth: () => jiraT.groundTruth(),
    module: jira,
    tables: jiraTables,
    credentials: basic,
    unit: (sim) => ({ org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'basic' } }),
    simulator: cloudFaults(11),
    faults: { skipped: 2, kinds: [] },
    resume: { invocationsAtLeast: () => moreThanHalfOf(jiraT.minimumRequests()) },
  },
  {
    product: 'jsm',
    tenant: jsmT,
    truth: () => jsmT.groundTruth(),
    module: jsm,
    tables: jsmTables,
    credentials: basic,
    unit: (sim) => ({ org: 'acme', product: 'jsm', siteUrl: sim.url, auth: { kind: 'basic' } }),
    simulator: cloudFaults(11),
    faults: { skipped: 2, kinds: [] },
    resume: { invocationsAtLeast: () => moreThanHalfOf(jsmT.minimumRequests()) },
  },
  {
    product: 'confluence',
    tenant: confluenceT,
    truth: () => confluenceT.groundTruth(),
    module: confluence,
    tables: confluenceTables,
    credentials: basic,
    unit: (sim) => ({ org: 'acme', product: 'confluence', siteUrl: sim.url, auth: { kind: 'basic' } }),
    simulator: cloudFaults(11),
    resumeSimulator: { seed: 11 },
    // One vanishing group, one vanishing space in each of the two space passes (permissions, role assignments).
    faults: { skipped: 3, kinds: ['shortPage'] },
    // A 404 (vanished parent) is no page boundary: its request shares the invocation of the next one.
    resume: { invocationsAtLeast: (out) => confluenceT.minimumRequests() - (out.stats?.skipped ?? 0) },
  },
  {
    product: 'bitbucket',
    tenant: bitbucketT,
    truth: () => bitbucketT.groundTruth(),
    module: bitbucket,
    tables: bitbucketTables,
    credentials: basic,
    unit: (sim) => ({ org: 'acme', product: 'bitbucket', siteUrl: sim.url, auth: { kind: 'basic' }, rateLimitBudget: 60 }),
    simulator: { seed: 11, budgets: { timeScale: 3600 }, faults: { rate: 0.15, slowMs: 1500, maxPerRequest: 2 } },
    deps: { pacing: { timeScale: 3600 } },
    // Vanished repositories and projects.
    faults: {
      skipped: 3,
      kinds: ALL_FAULTS,
      // Several windows' worth of requests, yet none beyond the budget nor into a closed window.
      assess: ({ out }) => expect(out.stats?.requests).toBeGreaterThan(60),
    },
    resume: { invocationsAtLeast: () => moreThanHalfOf(bitbucketT.minimumRequests()), maxCheckpointBytes: 32 * 1024 },
  },
  {
    product: 'assets',
    tenant: assetsT,
    truth: () => assetsT.groundTruth(assetsTypes),
    module: assets,
    tables: assetsTables,
    credentials: bearer,
    // The documented gateway form (OAuth 2.0 / scoped token): JSM workspace lookup and Assets under one base.
    unit: (sim) => ({ org: 'acme', product: 'assets', siteUrl: sim.url, apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, assets: { objectTypes: assetsTypes }, auth: { kind: 'bearer' } }),
    simulator: cloudFaults(11),
    faults: { skipped: 1, kinds: [], assess: () => expect(assetsT.groundTruth(assetsTypes).assets_objects?.length).toBeGreaterThan(130) },
    resume: { invocationsAtLeast: () => moreThanHalfOf(assetsT.minimumRequests(assetsTypes)) },
  },
  {
    product: 'opsgenie',
    tenant: opsgenieT,
    truth: () => opsgenieT.groundTruth(),
    module: opsgenie,
    tables: opsgenieTables,
    credentials: { kind: 'genie-key', apiKey: DEFAULT_CREDENTIALS.genieKey ?? '', source: 'the test' },
    unit: (sim) => ({ org: 'acme', product: 'opsgenie', siteUrl: sim.url, auth: { kind: 'genie-key' } }),
    simulator: { seed: 22, rateLimit: { perSecond: 100 }, faults: { rate: 0.3, slowMs: 1500, maxPerRequest: 2 } },
    faults: { skipped: 2, kinds: ALL_FAULTS, assess: ({ requests }) => expect(requests.every((r) => r.authorization === 'genie-key')).toBe(true) },
    // One invocation per request, except that a vanished team's 404 is no page boundary.
    resume: { invocationsAtLeast: () => opsgenieT.minimumRequests() - 2 },
  },
  {
    product: 'jsm-ops',
    tenant: jsmOpsT,
    truth: () => jsmOpsT.groundTruth(),
    module: jsmOps,
    tables: jsmOpsTables,
    credentials: basic,
    // The simulator serves the operations API at the intro page's basic-auth path, on the site's origin.
    unit: (sim) => ({ org: 'acme', product: 'jsm-ops', siteUrl: sim.url, apiBaseUrl: `${sim.url}/jsm/ops/api/{cloudId}`, orgId: jsmOpsT.model.orgId, auth: { kind: 'basic' } }),
    simulator: { seed: 23, faults: { rate: 0.3, slowMs: 1500, maxPerRequest: 2 } },
    faults: { skipped: 2, kinds: ['shortPage'] },
    resume: { invocationsAtLeast: () => jsmOpsT.minimumRequests() - 2 },
  },
  {
    product: 'trello',
    tenant: trelloT,
    truth: () => trelloT.groundTruth(),
    module: trello,
    tables: trelloTables,
    credentials: { kind: 'trello', apiKey: TRELLO_KEY, token: TRELLO_TOKEN, source: 'the test' },
    unit: (sim) => ({ org: 'acme', product: 'trello', siteUrl: sim.url, auth: { kind: 'trello' } }),
    // Trello's windows per token and per key, 20 times shorter (500 ms) and 10 times smaller, told in its headers.
    simulator: { seed: 31, budgets: { timeScale: 20 }, faults: { rate: 0.3, slowMs: 1500, maxPerRequest: 2, kinds: ['5xx', 'reset', 'slow', 'truncated'] } },
    faults: {
      skipped: 2,
      kinds: ['5xx', 'reset', 'slow', 'truncated'],
      assess: ({ out, requests }) => {
        // More requests than one window allows, yet none beyond the budget nor into a closed window.
        expect(out.stats?.requests).toBeGreaterThan(10);
        // Key and token only in the header.
        expect(requests.every((r) => r.authorization === 'trello')).toBe(true);
        expect(requests.some((r) => r.url.includes(TRELLO_KEY) || r.url.includes(TRELLO_TOKEN) || /[?&](key|token)=/.test(r.url))).toBe(false);
      },
    },
    resume: { invocationsAtLeast: () => trelloT.minimumRequests() - 2 },
  },
  {
    product: 'jira-dc',
    tenant: jiraDcT,
    truth: () => jiraDcT.groundTruth(),
    module: jiraDc,
    tables: jiraTables,
    deployment: 'data-center',
    credentials: pat(JIRA_DC_TOKENS.admin),
    unit: (sim) => ({ org: 'acme', product: 'jira-dc', siteUrl: `${sim.url}/jira`, auth: { kind: 'bearer' } }),
    simulator: cloudFaults(11),
    faults: {
      skipped: 2,
      kinds: [],
      // Every request went below the context path, with the PAT.
      assess: ({ requests }) => {
        for (const r of requests) expect(r.url.startsWith('/jira/rest/api/2/')).toBe(true);
        for (const r of requests) expect(r.authorization).toBe('bearer');
      },
    },
    resume: { invocationsAtLeast: () => moreThanHalfOf(jiraDcT.minimumRequests()) },
  },
  {
    product: 'confluence-dc',
    tenant: confluenceDcT,
    truth: () => confluenceDcT.groundTruth(),
    module: confluenceDc,
    tables: confluenceTables,
    deployment: 'data-center',
    credentials: pat(CONFLUENCE_DC_TOKENS.admin),
    unit: (sim) => ({ org: 'acme', product: 'confluence-dc', siteUrl: `${sim.url}/confluence`, auth: { kind: 'bearer' } }),
    simulator: cloudFaults(11),
    faults: { skipped: 2, kinds: [], assess: ({ requests }) => { for (const r of requests) expect(r.url.startsWith('/confluence/rest/api/')).toBe(true); } },
    resume: { invocationsAtLeast: () => moreThanHalfOf(confluenceDcT.minimumRequests()) },
  },
];

const tmp = tempDirs('contract');
productContracts(cases, tmp);

const limitedBasic: Credentials = { kind: 'basic', email: DEFAULT_LIMITED_CREDENTIALS.email, apiToken: DEFAULT_LIMITED_CREDENTIALS.apiToken, source: 'the test' };
const LIMITED_GENIE_KEY = DEFAULT_LIMITED_CREDENTIALS.genieKey ?? '';
const jsmOpsLimitedT = jsmOpsTenant({ seed: 8, teams: 3, schedules: 10, integrations: 5 });

const permissionCases: PermissionContract[] = [
  {
    product: 'jira',
    tenant: jiraTenant({ seed: 13, users: 120, groups: 5, memberships: 60, projects: 3 }),
    seed: 13,
    module: jira,
    unit: (sim) => ({ org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'basic' } }),
    credentials: limitedBasic,
    secret: DEFAULT_LIMITED_CREDENTIALS.apiToken,
    says: [/HTTP 403\].*Grant the account .*(Administer Jira|Browse users)/],
    tables: 'jira_',
  },
  {
    product: 'jsm',
    tenant: jsmTenant({ seed: 13, customers: 60, serviceDesks: 3, organizations: 3 }),
    seed: 13,
    module: jsm,
    unit: (sim) => ({ org: 'acme', product: 'jsm', siteUrl: sim.url, auth: { kind: 'basic' } }),
    credentials: limitedBasic,
    secret: DEFAULT_LIMITED_CREDENTIALS.apiToken,
    says: [/customer\/?.*HTTP 403\].*Grant the account permission to view the service desk's customers/],
    tables: 'jsm_',
  },
  {
    product: 'confluence',
    tenant: confluenceTenant({ seed: 13, users: 120, groups: 5, memberships: 60, spaces: 3 }),
    seed: 13,
    module: confluence,
    unit: (sim) => ({ org: 'acme', product: 'confluence', siteUrl: sim.url, auth: { kind: 'basic' } }),
    credentials: limitedBasic,
    secret: DEFAULT_LIMITED_CREDENTIALS.apiToken,
    says: [
      'endpoint GET /wiki/rest/api/audit/retention, HTTP 403]',
      "Grant the account the 'Confluence Administrator' global permission (OAuth scope read:audit-log:confluence)",
      'User is not permitted to view the audit log',
    ],
    tables: 'confluence_',
  },
  {
    product: 'assets',
    tenant: assetsTenant({ seed: 13, schemas: 2 }),
    seed: 13,
    module: assets,
    // The limited account uses a Basic API token on the site paths (apiBaseUrl = the site, the simulator serves both).
    unit: (sim) => ({ org: 'acme', product: 'assets', siteUrl: sim.url, apiBaseUrl: sim.url, auth: { kind: 'basic' } }),
    credentials: limitedBasic,
    secret: DEFAULT_LIMITED_CREDENTIALS.apiToken,
    says: [/objectschema\/list, HTTP 403\].*Grant the account an Assets role on the object schema/],
    tables: 'assets_',
  },
  {
    // A team integration's key: Opsgenie names the key and the access rights it needs.
    product: 'opsgenie',
    tenant: opsgenieTenant({ seed: 8, users: 40, teams: 3 }),
    seed: 8,
    module: opsgenie,
    unit: (sim) => ({ org: 'acme', product: 'opsgenie', siteUrl: sim.url, auth: { kind: 'genie-key' } }),
    credentials: { kind: 'genie-key', apiKey: LIMITED_GENIE_KEY, source: 'the test' },
    secret: LIMITED_GENIE_KEY,
    says: [
      /endpoint GET \/v2\/users, HTTP 403\]/,
      /team integration key cannot read account configuration/,
      /Grant the account an Opsgenie API key from Settings > API key management .* Read and Configuration access rights/,
    ],
    tables: 'opsgenie_',
  },
  {
    // An account without the admin role: the message names the scope and the role.
    product: 'jsm-ops',
    tenant: jsmOpsLimitedT,
    seed: 8,
    module: jsmOps,
    unit: (sim) => ({ org: 'acme', product: 'jsm-ops', siteUrl: sim.url, apiBaseUrl: `${sim.url}/jsm/ops/api/{cloudId}`, orgId: jsmOpsLimitedT.model.orgId, auth: { kind: 'basic' } }),
    credentials: limitedBasic,
    secret: DEFAULT_LIMITED_CREDENTIALS.apiToken,
    says: [/GET \/jsm\/ops\/api\/[^/]+\/v1\/roles, HTTP 403\]/, 'read:ops-config:jira-service-management', /admin role with the custom user role right/],
    tables: 'jsm_ops_',
  },
  {
    // A PAT of a user without admin rights.
    product: 'jira-dc',
    tenant: jiraDcTenant({ seed: 13, users: 120, groups: 6, memberships: 60, projects: 3 }),
    seed: 13,
    module: jiraDc,
    unit: (sim) => ({ org: 'acme', product: 'jira-dc', siteUrl: `${sim.url}/jira`, auth: { kind: 'bearer' } }),
    credentials: pat(JIRA_DC_TOKENS.limited),
    secret: JIRA_DC_TOKENS.limited,
    says: [/HTTP 403\].*Grant the account .*Browse users and groups/],
    tables: 'jira_',
  },
  {
    // A PAT of a non-admin.
    product: 'confluence-dc',
    tenant: confluenceDcTenant({ seed: 3, users: 1000, groups: 9, memberships: 300, spaces: 12, vanishingGroups: 1, vanishingSpaces: 1 }),
    seed: 3,
    module: confluenceDc,
    unit: (sim) => ({ org: 'acme', product: 'confluence-dc', siteUrl: `${sim.url}/confluence`, auth: { kind: 'bearer' } }),
    credentials: pat(CONFLUENCE_DC_TOKENS.limited),
    secret: CONFLUENCE_DC_TOKENS.limited,
    says: [/HTTP 403\].*Grant the account .*Confluence Administrator/],
    tables: 'confluence_',
  },
];
permissionContracts(permissionCases, tmp);

wrongTokenContracts(
  [
    { product: 'jira', tenant: jiraTenant({ seed: 13, users: 120, groups: 5, memberships: 60, projects: 3 }), seed: 13, endpoint: 'GET /rest/api/3/myself' },
    { product: 'jsm', tenant: jsmTenant({ seed: 13, customers: 60, serviceDesks: 3, organizations: 3 }), seed: 13, endpoint: 'GET /rest/servicedeskapi/servicedesk' },
    // The credential check comes first.
    { product: 'confluence', tenant: confluenceTenant({ seed: 13, users: 120, groups: 5, memberships: 60, spaces: 3 }), seed: 13, endpoint: 'GET /wiki/rest/api/user/current' },
  ],
  tmp,
);
