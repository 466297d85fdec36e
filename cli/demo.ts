import { rm } from 'node:fs/promises';
import { productModules } from '../functions/index.ts';
import { unitId, type Product } from '../shared/config.ts';
import type { UnitOutcome } from '../shared/local/runner.ts';
import { diffRows, readPublished } from '../shared/local/verify.ts';
import { convertToParquet } from '../shared/parquet/local.ts';
import { LocalStore } from '../shared/sink/store.ts';
import {
  adminTenant,
  assetsTenant,
  bitbucketTenant,
  confluenceDcTenant,
  confluenceTenant,
  DEFAULT_CREDENTIALS,
  directoryPeople,
  jiraDcTenant,
  jiraTenant,
  jsmOpsTenant,
  jsmTenant,
  opsgenieTenant,
  startSimulator,
  trelloTenant,
  type ProductSim,
  type Simulator,
} from '../simulator/index.ts';
import { adminEventsTruth } from '../simulator/admin-events.ts';
import { confluenceAuditTruth } from '../simulator/confluence-audit.ts';
import { jiraAuditTruth } from '../simulator/jira-audit.ts';
import { runCollect } from './collect.ts';
import { ALL_TABLES } from '../functions/index.ts';
import { formatSummary } from './summary.ts';

/** The Assets tenant's truth and minimum for the object types the demo names. */
function withObjectTypes(t: ReturnType<typeof assetsTenant>, types: readonly string[]): DemoProduct['tenant'] {
  return Object.assign(Object.create(t) as typeof t, { groundTruth: () => t.groundTruth(types), minimumRequests: () => t.minimumRequests(types) });
}

/** A tenant's truth with its audit table added: every event of its log (all within the first collection's backfill). */
function withAudit<T extends DemoProduct['tenant']>(t: T, table: string, rows: () => Record<string, unknown>[]): T {
  return Object.assign(Object.create(t) as T, { groundTruth: () => ({ ...t.groundTruth(), [table]: rows() }) });
}

const DAY_MS = 86_400_000;

/** One simulated product of the demo organization. */
interface DemoProduct {
  product: Product;
  describe: string;
  tenant: ProductSim & { groundTruth(): Record<string, Record<string, unknown>[]>; minimumRequests(): number };
  auth: 'basic' | 'bearer' | 'genie-key' | 'trello';
  /** Where the product lives below the simulator (Data Center context path). */
  path?: string;
  extraArgs?: (sim: Simulator) => string[];
}

/**
 * `npm run demo`: a simulated organization (Jira, Confluence, Bitbucket and the Admin directory, real HTTP on
 * loopback with rate limits and faults), collected through the same handler loop the workflow uses, with a
 * small per-invocation request budget so resume really happens. Output in ./out, then checked against each
 * tenant's ground truth.
 */
async function main(): Promise<number> {
  const out = process.env.DEMO_OUT ?? 'out';
  // Opt-in: `npm run demo -- --parquet` also converts the snapshot to Parquet (npm run parquet).
  const parquet = process.argv.slice(2).includes('--parquet');
  const org = 'demo';
  // Jira Data Center writes the Jira tables (deployment = data-center), so it gets an org of its own here.
  const orgOf = (p: Product) => (p === 'jira-dc' || p === 'confluence-dc' ? 'demo-dc' : org);
  const date = new Date().toISOString().slice(0, 10);
  // Audit logs: background activity over the 28 days before the demo starts, inside the first collection's
  // 30-day backfill (--audit-backfill-days), about what an organization of this size logs: Jira ~50 records a
  // day, Confluence ~30, the organization ~20.
  const auditUntil = Date.now() - 60_000;
  const audit = (perDay: number) => ({ background: { count: 28 * perDay, days: 28, until: auditUntil } });
  const everything = [auditUntil - 29 * DAY_MS, auditUntil] as const;
  const admin = adminTenant({ seed: 7, users: 3000, groups: 120, memberships: 9000, sites: 2, vanishingUsers: 1, vanishingGroups: 1, audit: audit(20) });
  // One organization, one population: the directory's accounts with access to the first site's Jira and
  // Confluence and to Bitbucket are those products' people (the rest of each product's users exist only
  // there), and a few accounts suspended or deactivated in the directory are still active in the products.
  // Bitbucket takes 250 of its ~440: with all of them nearly every Bitbucket user would be a directory account.
  const people = (product: 'jira' | 'confluence' | 'bitbucket', limit?: number) => directoryPeople(admin.model, { product, stillActive: 5, limit });
  const jira = jiraTenant({ seed: 7, users: 5000, groups: 200, memberships: 20_000, projects: 60, vanishingGroups: 2, vanishingProjects: 1, people: people('jira'), audit: audit(50) });
  const confluence = confluenceTenant({ seed: 7, users: 3000, groups: 120, memberships: 9000, spaces: 80, vanishingGroups: 1, vanishingSpaces: 1, people: people('confluence'), audit: audit(30) });
  const jsmOps = jsmOpsTenant({ seed: 7, vanishingTeams: 1 });
  const products: DemoProduct[] = [
    {
      product: 'jira',
      describe: 'Jira Cloud: 5,000 users (about half of them directory accounts), 200 groups, 20,000 memberships, 60 projects',
      tenant: withAudit(jira, 'jira_audit_records', () => jiraAuditTruth(jira.audit, ...everything)),
      auth: 'basic',
    },
    {
      product: 'confluence',
      describe: 'Confluence Cloud: 3,000 users (about half of them directory accounts), 120 groups, 9,000 memberships, 80 spaces',
      tenant: withAudit(confluence, 'confluence_audit_records', () => confluenceAuditTruth(confluence.audit, ...everything)),
      auth: 'basic',
    },
    {
      product: 'bitbucket',
      describe: 'Bitbucket Cloud: 3 workspaces, 400 users (about half of them directory accounts), 6 projects and 60 repositories per workspace',
      tenant: bitbucketTenant({ seed: 7, workspaces: 3, users: 400, projects: 6, repositories: 60, vanishingRepositories: 1, people: people('bitbucket', 250) }),
      auth: 'basic',
      // A scaled workspace (more than 100 paid seats: up to 10,000 requests an hour, "API request limits"): the demo
      // needs more than the 1,000 an hour of a small one, for which the collector would rightly wait an hour.
      extraArgs: () => ['--rate-limit-budget', '10000'],
    },
    {
      product: 'admin',
      describe: 'Organization directory (Admin API): 3,000 accounts, 120 groups, 9,000 memberships',
      tenant: withAudit(admin, 'admin_audit_events', () => adminEventsTruth(admin.audit, ...everything)),
      auth: 'bearer',
      extraArgs: () => ['--org-id', admin.model.orgId],
    },
    {
      product: 'jsm',
      describe: 'Jira Service Management: service desks, customers, organizations, agents',
      tenant: jsmTenant({ seed: 7 }),
      auth: 'basic',
    },
    {
      product: 'assets',
      describe: 'Assets (JSM CMDB) through the API gateway: schemas, object types, the objects of two types',
      tenant: withObjectTypes(assetsTenant({ seed: 7 }), ['Servers', 'Software Licences']),
      auth: 'bearer',
      extraArgs: (sim) => ['--api-base-url', `${sim.url}/ex/jira/{cloudId}`, '--assets-object-types', 'Servers,Software Licences'],
    },
    { product: 'opsgenie', describe: 'Opsgenie: users, teams, roles, schedules, escalations', tenant: opsgenieTenant({ seed: 7 }), auth: 'genie-key' },
    {
      product: 'jsm-ops',
      describe: "JSM operations (Opsgenie's successor): teams and members, team and custom roles, schedules, escalations, integrations, heartbeats",
      tenant: jsmOps,
      auth: 'basic',
      extraArgs: (sim) => ['--api-base-url', `${sim.url}/jsm/ops/api/{cloudId}`, '--org-id', jsmOps.model.orgId],
    },
    { product: 'trello', describe: 'Trello: workspaces, members, boards, enterprise admins', tenant: trelloTenant({ seed: 7 }), auth: 'trello' },
    {
      product: 'jira-dc',
      describe: 'Jira Data Center at a context path (/jira), personal access token',
      tenant: jiraDcTenant({ seed: 7 }),
      auth: 'bearer',
      path: '/jira',
    },
    {
      product: 'confluence-dc',
      describe: 'Confluence Data Center at a context path (/confluence), personal access token',
      tenant: confluenceDcTenant({ seed: 7 }),
      auth: 'bearer',
      path: '/confluence',
    },
  ];

  await rm(out, { recursive: true, force: true });
  let exit = 0;
  let invocations = 0;
  // One summary table at the end, for every unit of every product.
  const all: UnitOutcome[] = [];
  const minimum = new Map<string, number>();
  for (const p of products) {
    const sim = await startSimulator({
      products: [p.tenant],
      seed: 7,
      latencyMs: 2,
      rateLimit: { perSecond: 300, burst: 60 },
      faults: { rate: 0.02, slowMs: 2500, maxPerRequest: 1 },
    });
    try {
      process.stderr.write(
        `\n${p.describe}\nsimulated at ${sim.url} (rate limit 300 req/s; 2 % of requests faulted: 5xx, resets, stalls, truncated JSON, short pages)\n` +
          `collecting with at most 150 requests per invocation, as a Lambda would on its time budget...\n`,
      );
      const env = {
        basic: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken },
        bearer: { ATLASSIAN_BEARER_TOKEN: DEFAULT_CREDENTIALS.bearerToken },
        'genie-key': { OPSGENIE_API_KEY: sim.credentials.genieKey ?? '' },
        trello: { TRELLO_API_KEY: sim.credentials.trelloKey ?? '', TRELLO_TOKEN: sim.credentials.trelloToken ?? '' },
      }[p.auth];
      const { outcomes, exitCode } = await runCollect(
        ['--product', p.product, '--site-url', `${sim.url}${p.path ?? ''}`, '--org', orgOf(p.product), '--out', out, '--date', date, '--max-requests-per-invocation', '150', ...(p.extraArgs?.(sim) ?? [])],
        { env, http: { timeoutMs: 1000, retry: { baseDelayMs: 100, maxDelayMs: 2000 } }, summary: false },
      );
      invocations += outcomes.reduce((n, o) => n + o.invocations, 0);
      all.push(...outcomes);
      for (const o of outcomes) minimum.set(unitId(o.unit), p.tenant.minimumRequests());
      if (exitCode !== 0) {
        exit = exitCode;
        continue;
      }
      const store = new LocalStore(out);
      const truth = p.tenant.groundTruth();
      for (const t of productModules[p.product]?.tables ?? []) {
        const d = diffRows(truth[t.name] ?? [], await readPublished(store, t.name, { date }, orgOf(p.product)));
        if (!d.equal) {
          exit = 1;
          process.stdout.write(`MISMATCH ${t.name}: ${d.missing.length} missing, ${d.extra.length} extra, ${d.duplicates.length} duplicated\n`);
        }
      }
    } finally {
      await sim.close();
    }
  }
  process.stdout.write(`${formatSummary(all, { minimumRequests: minimum })}\n`);
  if (parquet) {
    const { converted } = await convertToParquet(out, { dates: [date], tables: ALL_TABLES });
    process.stdout.write(`\nParquet copies: ${converted.length} partitions under ${out}/parquet/ (npm run query -- --parquet reads them)\n`);
  }
  process.stdout.write(
    exit === 0
      ? `\nEvery table of every product equals its simulator's ground truth (no row lost, none doubled) across ${invocations} invocations.\n` +
          `Look at it: zcat ${out}/jira_group_members/dt=${date}/org=${org}/*.json.gz | head -3\n` +
          `Ask it: npm run query -- --question 1   ·   npm run report\n`
      : '\nSome output differs from ground truth or a unit failed (see above).\n',
  );
  return exit;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    process.exit(2);
  },
);

