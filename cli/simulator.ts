/**
 * Start a simulated Atlassian tenant (Jira Cloud) on 127.0.0.1 and keep it up until Ctrl-C.
 *
 *   npx tsx cli/simulator.ts --users 2000 --groups 50 --memberships 5000 --projects 30 \
 *     [--port 8080] [--seed 1] [--faults] [--latency-ms 0] [--rate-limit 100]
 */
import { parseArgs } from 'node:util';
import { jiraTenant, startSimulator } from '../simulator/index.ts';

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got '${v}'\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    groups: { type: 'string' },
    memberships: { type: 'string' },
    projects: { type: 'string' },
    roles: { type: 'string' },
    schemes: { type: 'string' },
    'vanishing-groups': { type: 'string' },
    'vanishing-projects': { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'boolean', default: false },
    'latency-ms': { type: 'string' },
    'rate-limit': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(
    'Usage: tsx cli/simulator.ts [--users N] [--groups N] [--memberships N] [--projects N] [--roles N] [--schemes N]\n' +
      '       [--vanishing-groups N] [--vanishing-projects N] [--port P] [--seed S] [--faults] [--latency-ms MS] [--rate-limit PER_SECOND]\n',
  );
  process.exit(0);
}

const seed = num(values.seed, 'seed') ?? 1;
const started = Date.now();
const jira = jiraTenant({
  seed,
  users: num(values.users, 'users'),
  groups: num(values.groups, 'groups'),
  memberships: num(values.memberships, 'memberships'),
  projects: num(values.projects, 'projects'),
  roles: num(values.roles, 'roles'),
  schemes: num(values.schemes, 'schemes'),
  vanishingGroups: num(values['vanishing-groups'], 'vanishing-groups'),
  vanishingProjects: num(values['vanishing-projects'], 'vanishing-projects'),
});
const perSecond = num(values['rate-limit'], 'rate-limit');
const sim = await startSimulator({
  seed,
  port: num(values.port, 'port') ?? 0,
  latencyMs: num(values['latency-ms'], 'latency-ms') ?? 0,
  rateLimit: perSecond ? { perSecond } : false,
  ...(values.faults ? { faults: {} } : {}),
  products: [jira],
});

const m = jira.model;
process.stdout.write(
  [
    `Simulated Jira Cloud tenant up (generated in ${Date.now() - started} ms, seed ${seed}${values.faults ? ', faults on' : ''})`,
    `  site URL        ${sim.url}`,
    `  gateway URL     ${sim.url}/ex/jira/${sim.cloudId}   (Bearer only)`,
    `  cloud id        ${sim.cloudId}`,
    `  Basic (admin)   ${sim.credentials.email} / ${sim.credentials.apiToken}`,
    `  Basic (viewer)  ${sim.limitedCredentials.email} / ${sim.limitedCredentials.apiToken}`,
    `  Bearer          ${sim.credentials.bearerToken}`,
    `  model           ${m.users.count} users, ${m.groups.length} groups, ${m.membershipCount} memberships, ${m.projects.length} projects, ${m.roles.length} roles, ${m.schemes.length} schemes`,
    `  min requests    ${jira.minimumRequests()}`,
    'Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  const s = sim.stats();
  void sim.close().then(() => {
    process.stdout.write(`\nStopped after ${s.requests} requests ${JSON.stringify(s.byStatus)}\n`);
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
