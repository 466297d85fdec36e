import { pathToFileURL } from 'node:url';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import type { Config } from '../shared/config.ts';
import { ConfigError } from '../shared/errors.ts';
import { HelpRequested, parseCommandArgs } from './args.ts';
import { configPath } from '../shared/workflow/config-file.ts';
import { loadConfig } from '../functions/config.ts';
import { stateMachineName } from '../shared/workflow/names.ts';
import { formatProgress, formatSummary, progressOf, type FinalizeSummary } from '../shared/workflow/progress.ts';
import { RunRequestSchema, type RunRequest } from '../shared/workflow/schemas.ts';

export const USAGE = `usage: npm run sync -- [--org <org>]... [--product <product>]... [--unit <org>/<product>/<host>]... [--date YYYY-MM-DD]
                      [--force] [--wait] [--rerun <execution ARN>]
                      [--config <file>] [--state-machine-arn <arn>] [--region <region>] [--poll-seconds <n>]
Starts a run of the deployed workflow (all units, or those of the named orgs/products) and, with --wait,
follows it and prints the run summary; exits 1 if the run failed. A unit already published for the date is not
collected again unless --force; an interrupted run of the date resumes each unit from its stored checkpoint.
One run per snapshot date at a time: while an execution collects the date, sync names it and starts nothing (exit 1).
--rerun <ARN> starts a new run with a finished run's date and selection: it collects only the units that did not
publish (as Step Functions' Redrive of a run that ended in 'Run failed' does, within that execution).
The state machine is found by name from the config (aws.stackName), or given by --state-machine-arn or
COLLECTOR_STATE_MACHINE_ARN. Config: --config, else COLLECTOR_CONFIG, else collector.config.example.json.`;

const ArgsSchema = z.object({
  org: z.array(z.string().min(1)).optional(),
  product: z.array(z.string().min(1)).optional(),
  unit: z.array(z.string().regex(/^[^/]+\/[^/]+\/[^/]+$/, '--unit is org/product/host, e.g. acme/jira/acme.atlassian.net')).optional(),
  force: z.boolean().default(false),
  date: z.iso.date('--date must be YYYY-MM-DD').optional(),
  wait: z.boolean().default(false),
  rerun: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:.+$/, '--rerun takes an execution ARN (from npm run sync or the console)').optional(),
  config: z.string().min(1).optional(),
  'state-machine-arn': z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:.+$/, '--state-machine-arn must be a state machine ARN').optional(),
  region: z.string().min(1).optional(),
  'poll-seconds': z.coerce.number().int().min(1).max(300).default(10),
  help: z.boolean().default(false),
});
export type SyncArgs = z.infer<typeof ArgsSchema>;

/** What the command needs from the outside world; tests inject a mocked SFN client and a no-op sleep. */
export interface SyncDeps {
  readonly sfn?: SFNClient;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  readonly loadConfig?: (path: string) => Config;
}

export function parseSyncArgs(argv: readonly string[]): SyncArgs {
  return parseCommandArgs(
    argv,
    {
      org: { type: 'string', multiple: true },
      product: { type: 'string', multiple: true },
      unit: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      date: { type: 'string' },
      wait: { type: 'boolean' },
      rerun: { type: 'string' },
      config: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      region: { type: 'string' },
      'poll-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    ArgsSchema,
    USAGE,
  );
}

/** The run request (execution input) for the named orgs/products, checked against the config. */
export function runRequest(args: SyncArgs, config: Config): RunRequest {
  const orgs = config.organizations.map((o) => o.id);
  const products = [...new Set(config.organizations.flatMap((o) => o.units.map((u) => u.product)))];
  for (const o of args.org ?? []) {
    if (!orgs.includes(o)) throw new ConfigError(`--org ${o}: not in the config; configured organizations: ${orgs.join(', ')}`);
  }
  for (const p of args.product ?? []) {
    if (!(products as string[]).includes(p)) throw new ConfigError(`--product ${p}: no unit collects it; configured products: ${products.join(', ')}`);
  }
  const ids = config.organizations.flatMap((o) => o.units.map((u) => `${o.id}/${u.product}/${new URL(u.siteUrl).host}`));
  for (const u of args.unit ?? []) {
    if (!ids.includes(u)) throw new ConfigError(`--unit ${u}: not in the config; configured units: ${ids.join(', ')}`);
  }
  return {
    ...(args.org?.length ? { orgs: [...new Set(args.org)] } : {}),
    ...(args.unit?.length ? { units: [...new Set(args.unit)] } : {}),
    ...(args.force ? { force: true } : {}),
    ...(args.product?.length ? { products: [...new Set(args.product)] as RunRequest['products'] } : {}),
    ...(args.date ? { date: args.date } : {}),
  };
}

async function findStateMachine(sfn: SFNClient, name: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
    const hit = page.stateMachines?.find((m) => m.name === name);
    if (hit?.stateMachineArn) return hit.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new ConfigError(
    `no state machine named '${name}' in this account and region. Deploy the stack (npx cdk deploy), check AWS_REGION/--region, or pass --state-machine-arn.`,
  );
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000, includeExecutionData: true }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The snapshot date of an execution: its input's `date`, else its start date (UTC), as plan decides. */
function executionDate(input: string | undefined, startDate: Date | undefined): string | undefined {
  let date: unknown;
  try {
    date = (JSON.parse(input ?? '{}') as { date?: unknown }).date;
  } catch {
    date = undefined;
  }
  return typeof date === 'string' ? date : startDate?.toISOString().slice(0, 10);
}

/** A running execution of the state machine that collects `date`, if any (the workflow's run lock refuses a second one). */
async function runningFor(sfn: SFNClient, stateMachineArn: string, date: string): Promise<{ executionArn: string; started: string } | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 100, nextToken }));
    for (const e of page.executions ?? []) {
      if (!e.executionArn) continue;
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      if (executionDate(d.input, d.startDate ?? e.startDate) === date) return { executionArn: e.executionArn, started: (d.startDate ?? e.startDate)?.toISOString() ?? 'unknown' };
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * The request of a new run that finishes what `executionArn` left: its input (orgs, products, units, force) with its
 * snapshot date made explicit, never `force` (a unit it published is not collected again). Options given beside
 * --rerun override its input.
 */
async function rerunRequest(sfn: SFNClient, executionArn: string, given: RunRequest): Promise<RunRequest> {
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') {
    throw new ConfigError(`--rerun ${executionArn}: that run is still running; wait for it (npm run sync -- --wait) before running its date again.`);
  }
  let input: RunRequest = {};
  try {
    input = RunRequestSchema.parse(JSON.parse(d.input ?? '{}'));
  } catch {
    input = {};
  }
  const date = executionDate(d.input, d.startDate);
  const { force: _f, ...rest } = input;
  return { ...rest, ...(date ? { date } : {}), ...given };
}

function consoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

function executionName(now: Date): string {
  return `sync-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * `npm run sync`: start an execution of the deployed workflow and, with --wait, follow it. Returns the
 * exit code: 0 started (or succeeded), 1 the run failed, 2 bad arguments or config.
 */
export async function runSync(argv: readonly string[], deps: SyncDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = deps.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const env = deps.env ?? process.env;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let args: SyncArgs;
  let request: RunRequest;
  let config: Config;
  try {
    args = parseSyncArgs(argv);
    if (args.help) {
      out(USAGE);
      return 0;
    }
    config = (deps.loadConfig ?? loadConfig)(configPath(args.config, env));
    request = runRequest(args, config);
  } catch (e) {
    if (e instanceof HelpRequested) {
      out(e.usage);
      return 0;
    }
    err(`error: ${(e as Error).message}`);
    return 2;
  }
  const sfn = deps.sfn ?? new SFNClient(args.region ? { region: args.region } : {});
  try {
    const arn = args['state-machine-arn'] ?? env.COLLECTOR_STATE_MACHINE_ARN ?? (await findStateMachine(sfn, stateMachineName(config)));
    if (args.rerun) request = await rerunRequest(sfn, args.rerun, request);
    const date = request.date ?? (deps.now ?? (() => new Date()))().toISOString().slice(0, 10);
    const busy = await runningFor(sfn, arn, date);
    if (busy) {
      err(
        `error: a run for snapshot date ${date} is already running: ${busy.executionArn} (started ${busy.started}); one run per date at a time, so none was started.\n` +
          `  Follow it: ${consoleUrl(busy.executionArn)}\n` +
          `  Run this again when it has finished (units it published are not collected again), or stop it first:\n` +
          `  aws stepfunctions stop-execution --execution-arn ${busy.executionArn}`,
      );
      return 1;
    }
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: executionName((deps.now ?? (() => new Date()))()), input: JSON.stringify(request) }),
    );
    const executionArn = started.executionArn;
    if (!executionArn) throw new Error('StartExecution returned no executionArn');
    out(`started ${executionArn}`);
    out(`  ${consoleUrl(executionArn)}`);
    if (!args.wait) return 0;

    const seen = new Set<number>();
    let summary: FinalizeSummary | undefined;
    const report = (events: readonly HistoryEvent[]) => {
      for (const e of events) {
        if (e.id === undefined || seen.has(e.id)) continue;
        seen.add(e.id);
        const p = progressOf(e);
        if (!p) continue;
        if (p.kind === 'finalized') summary = p.output;
        else out(formatProgress(p));
      }
    };
    for (;;) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      report(await history(sfn, executionArn));
      if (d.status && d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
        if (summary) out(formatSummary(summary));
        if (d.status === 'SUCCEEDED') {
          out(`run succeeded`);
          return 0;
        }
        out(`run ${d.status.toLowerCase()}${d.error ? `: ${d.error}` : ''}${d.cause && !summary ? ` — ${d.cause}` : ''}`);
        return 1;
      }
      await sleep(args['poll-seconds'] * 1000);
    }
  } catch (e) {
    const name = (e as Error).name;
    err(`error: ${name === 'ConfigError' ? '' : `${name}: `}${(e as Error).message}`);
    return name === 'ConfigError' ? 2 : 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runSync(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
