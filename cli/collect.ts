import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { moduleFor, MODULES, PRODUCTS, ProductSchema, UnitConfigSchema } from '../functions/index.ts';
import { parseConfig } from '../functions/config.ts';
import { unitId, unitsOf, type Product, type Run, type Unit } from '../shared/config.ts';
import { ConfigError } from '../shared/errors.ts';
import { HelpRequested, parseCommandArgs } from './args.ts';
import { credentialsFromEnv, type Credentials } from '../shared/http/auth.ts';
import { CheckpointFile } from '../shared/local/checkpoint-file.ts';
import { collectorUnits } from '../shared/engine/units-table.ts';
import { runUnit, type UnitOutcome } from '../shared/local/runner.ts';
import { convertToParquet } from '../shared/parquet/local.ts';
import { jsonLogger, Redactor } from '../shared/redact.ts';
import { credentialsFromFile } from '../shared/secrets.ts';
import { LocalStore } from '../shared/sink/store.ts';
import { progressReporter } from './progress.ts';
import { formatSummary } from './summary.ts';

const USAGE = `usage: npm run collect -- --product <${PRODUCTS.join('|')}> --site-url <URL> --org <ORG> --out <DIR>
         [--max-requests-per-invocation <N>] [--api-base-url <URL>] [--org-id <ID>] [--workspaces <a,b>] [--api-tokens managed|active|none] [--assets-object-types <a,b>]
         [--rate-limit-share <0..1>] [--rate-limit-budget <N>] [--audit-backfill-days <N>] [--audit-overlap-minutes <N>]
       npm run collect -- --config <file> --out <DIR> [--org <ORG>] [--product <p>] [--max-requests-per-invocation <N>]
options: --date <YYYY-MM-DD> snapshot date (default today, UTC)   --run-id <id> (default local-<time>)
         --concurrency <N> connections per site (default 4)      --verbose JSON log lines on stderr (secrets redacted)
         --timeout <seconds> wait for an answer this long per attempt (default 30)
         --fresh start over, ignoring the checkpoint an interrupted run of the same date left in <DIR>/_checkpoints
         --parquet afterwards, convert the date's published partitions to Parquet as well (npm run parquet)
         --rate-limit-share <0..1> share of each API's published budget this unit may spend (default 0.8)
         --rate-limit-budget <N> requests per window when the site's budget is scaled (Bitbucket)
         --audit-backfill-days <N> days of audit log the first collection reads (default 30, capped by the product's retention)
         --audit-overlap-minutes <N> minutes before the last watermark read again for late events (default 60)
         --help this text
credentials: ATLASSIAN_EMAIL + ATLASSIAN_API_TOKEN (basic), ATLASSIAN_BEARER_TOKEN (bearer; Data Center PAT),
${credentialLines()}
             or ATLASSIAN_SECRET_FILE (JSON shaped like the unit's secret; OAuth refresh tokens rotate in place)`;

/** The products with credentials of their own, from their modules: `OPSGENIE_API_KEY (opsgenie), …`. */
function credentialLines(): string {
  const own = MODULES.filter((m) => m.credentials.envKind).map((m) => `${m.credentials.env.filter((e) => e !== 'ATLASSIAN_SECRET_FILE').join(' + ')} (${m.product})`);
  return `             ${own.join(', ')},`;
}

const Args = z.object({
  product: ProductSchema.optional(),
  'site-url': z.string().optional(),
  org: z.string().optional(),
  'api-base-url': z.string().optional(),
  'org-id': z.string().optional(),
  workspaces: z.string().optional(),
  'api-tokens': z.string().optional(),
  'assets-object-types': z.string().optional(),
  'rate-limit-share': z.coerce.number().optional(),
  'rate-limit-budget': z.coerce.number().optional(),
  'audit-backfill-days': z.coerce.number().optional(),
  'audit-overlap-minutes': z.coerce.number().optional(),
  out: z.string({ error: 'required: the folder the tables are written to' }).min(1, 'required: the folder the tables are written to'),
  config: z.string().optional(),
  'max-requests-per-invocation': z.coerce.number().int().positive().optional(),
  concurrency: z.coerce.number().int().min(1).max(32).optional(),
  timeout: z.coerce.number().positive().max(600, 'at most 600 seconds').optional(),
  date: z.iso.date().optional(),
  'run-id': z.string().optional(),
  verbose: z.boolean().optional(),
  fresh: z.boolean().optional(),
  parquet: z.boolean().optional(),
});
export type CollectArgs = z.infer<typeof Args>;

/** Parse argv; throws ConfigError with the usage on anything wrong. */
export function parseCollectArgs(argv: readonly string[]): CollectArgs {
  return parseCommandArgs(
    argv,
    {
      product: { type: 'string' },
      'site-url': { type: 'string' },
      org: { type: 'string' },
      'api-base-url': { type: 'string' },
      'org-id': { type: 'string' },
      workspaces: { type: 'string' },
      'api-tokens': { type: 'string' },
      'assets-object-types': { type: 'string' },
      'rate-limit-share': { type: 'string' },
      'rate-limit-budget': { type: 'string' },
      'audit-backfill-days': { type: 'string' },
      'audit-overlap-minutes': { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      'max-requests-per-invocation': { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      date: { type: 'string' },
      'run-id': { type: 'string' },
      verbose: { type: 'boolean' },
      fresh: { type: 'boolean' },
      parquet: { type: 'boolean' },
    },
    Args,
    USAGE,
  );
}

async function unitsFrom(args: CollectArgs, authKind: Unit['auth']['kind']): Promise<Unit[]> {
  if (args.config) {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(args.config, 'utf8'));
      } catch (e) {
        throw new ConfigError(`cannot read --config ${args.config}: ${(e as Error).message}`);
      }
      // The same validation as `cdk deploy` (unknown keys, duplicate units, secret names): one reading of the file.
      return unitsOf(parseConfig(json, args.config)).filter((u) => !args.org || u.org === args.org).filter((u) => !args.product || u.product === args.product);
  }
  const u = UnitConfigSchema.safeParse({
      org: args.org,
      product: args.product,
      siteUrl: args['site-url'],
      ...(args['api-base-url'] ? { apiBaseUrl: args['api-base-url'] } : {}),
      ...(args['org-id'] ? { orgId: args['org-id'] } : {}),
      ...(args.workspaces ? { workspaces: args.workspaces.split(',').map((w) => w.trim()).filter(Boolean) } : {}),
      ...(args['api-tokens'] ? { apiTokens: args['api-tokens'] } : {}),
      ...(args['assets-object-types'] ? { assets: { objectTypes: args['assets-object-types'].split(',').map((t) => t.trim()).filter(Boolean) } } : {}),
      ...(args['rate-limit-share'] !== undefined ? { rateLimitShare: args['rate-limit-share'] } : {}),
      ...(args['rate-limit-budget'] !== undefined ? { rateLimitBudget: args['rate-limit-budget'] } : {}),
      ...(args['audit-backfill-days'] !== undefined ? { auditBackfillDays: args['audit-backfill-days'] } : {}),
      ...(args['audit-overlap-minutes'] !== undefined ? { auditOverlapMinutes: args['audit-overlap-minutes'] } : {}),
      auth: { kind: authKind },
  });
  if (!u.success) {
      const i = u.error.issues[0];
      const flag =
        { siteUrl: '--site-url', org: '--org', product: '--product', apiBaseUrl: '--api-base-url', orgId: '--org-id', workspaces: '--workspaces', apiTokens: '--api-tokens', rateLimitShare: '--rate-limit-share', rateLimitBudget: '--rate-limit-budget', auditBackfillDays: '--audit-backfill-days', auditOverlapMinutes: '--audit-overlap-minutes' }[
          String(i?.path[0])
        ] ?? String(i?.path.join('.'));
      throw new ConfigError(`${flag}: ${i?.message}\n${USAGE}`);
  }
  return [u.data];
}

/** Options the demo and tests pass in addition to argv. */
export interface CollectOptions {
  env?: NodeJS.ProcessEnv;
  http?: { timeoutMs?: number; retry?: { baseDelayMs?: number; maxDelayMs?: number; maxRetries?: number } };
  quiet?: boolean;
  /** Shown beside the requests made (the demo knows it from the simulator). */
  minimumRequests?: number;
  /** Print the summary table at the end. @default true (the demo prints one table for all its runs instead) */
  summary?: boolean;
}

/** The local command. Returns the outcomes; exit code 0 only if every unit completed. */
export async function runCollect(argv: readonly string[], opts: CollectOptions = {}): Promise<{ outcomes: UnitOutcome[]; exitCode: number }> {
  const args = parseCollectArgs(argv);
  const env = opts.env ?? process.env;
  const secretFile = env.ATLASSIAN_SECRET_FILE;
  // A product may have credentials of its own (its module says which); every Atlassian product takes the ATLASSIAN_* ones.
  const envKind = (p: Product | undefined) => (p ? moduleFor(p).credentials.envKind : undefined);
  const loadCredentials = async (p: Product | undefined): Promise<Credentials> =>
      secretFile ? credentialsFromFile(secretFile) : credentialsFromEnv(env, envKind(p));
  const credentials = await loadCredentials(args.product);
  const units = await unitsFrom(args, credentials.kind === 'none' ? 'basic' : credentials.kind);
  if (!units.length) throw new ConfigError('no unit matches --org/--product in the config');
  const today = new Date().toISOString().slice(0, 10);
  const run: Run = { id: args['run-id'] ?? `local-${new Date().toISOString().replace(/[:.]/g, '-')}`, date: args.date ?? today };
  const store = new LocalStore(args.out);
  const redactor = new Redactor();
  const log = jsonLogger(redactor, (l) => (args.verbose ? process.stderr.write(l + '\n') : undefined));
  const progress = progressReporter();
  const outcomes: UnitOutcome[] = [];
  const resumable: string[] = [];
  for (const unit of units) {
      // An interrupted run of this unit and date left a checkpoint: resume it (same run id, so its staged parts
      // count), unless --fresh or another --run-id was asked for.
      const cpFile = new CheckpointFile(args.out, run.date, unit);
      const saved = args.fresh ? null : await cpFile.read();
      const resume = saved && (!args['run-id'] || args['run-id'] === saved.run.id) ? saved : null;
      const unitRun = resume?.run ?? run;
      if (resume && !opts.quiet) {
        process.stderr.write(`${unitId(unit)}: resuming run ${resume.run.id} from its checkpoint (${resume.checkpoint.stats.invocations} invocations done; ${cpFile.path}; --fresh starts over)\n`);
      }
      const outcome = await runUnit(unitRun, unit, async () => ({
        module: moduleFor(unit.product),
        store,
        credentials: await loadCredentials(unit.product),
        redactor,
        log,
        ...(args['max-requests-per-invocation'] ? { maxRequests: args['max-requests-per-invocation'] } : {}),
        http: { concurrency: args.concurrency ?? 4, ...(args.timeout ? { timeoutMs: args.timeout * 1000 } : {}), ...opts.http },
        ...(opts.quiet ? {} : { onProgress: progress.onProgress }),
      }), {
        onWait: (seconds) => {
          if (!opts.quiet) process.stderr.write(`\n${unit.org}/${unit.product}: rate limited; waiting ${seconds} s at the checkpoint before resuming\n`);
        },
        resumeFrom: resume?.checkpoint ?? null,
        onCheckpoint: (cp) => cpFile.write(unitRun, cp),
      });
      progress.done();
      if (!outcome.ok && (await cpFile.read())) resumable.push(unitId(unit));
      outcomes.push(outcome);
  }
  if (!opts.quiet) {
      if (opts.summary !== false) {
        const min = opts.minimumRequests;
        process.stdout.write(redactor.redact(formatSummary(outcomes, min ? { minimumRequests: new Map(outcomes.map((o) => [unitId(o.unit), min])) } : {})) + '\n');
      }
      const failed = outcomes.filter((o) => !o.ok);
      if (failed.length) {
        process.stderr.write(
          redactor.redact(
            `\n${failed.length} unit(s) failed; their previous snapshot in ${store.location} is untouched.\n` +
              failed.map((o) => `  ${o.error?.name}: ${o.error?.message}`).join('\n') +
              '\n' +
              (resumable.length
                ? `Run the same command again to resume ${resumable.join(', ')} from ${resumable.length === 1 ? 'its' : 'their'} last checkpoint (under ${args.out}/_checkpoints/).\n`
                : ''),
          ),
        );
      } else {
        process.stdout.write(`\nPublished to ${store.location}/<table>/dt=${run.date}/org=<org>/\n`);
      }
  }
  if (args.parquet && outcomes.some((o) => o.ok)) {
      const { converted } = await convertToParquet(args.out, { dates: [run.date], tables: [...new Set([...units.flatMap((u) => moduleFor(u.product).tables), collectorUnits])] });
      if (!opts.quiet) process.stdout.write(`Parquet: ${converted.length} partitions under ${store.location}/parquet/<table>/dt=${run.date}/\n`);
  }
  return { outcomes, exitCode: outcomes.every((o) => o.ok) ? 0 : 1 };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  runCollect(process.argv.slice(2)).then(
      (r) => process.exit(r.exitCode),
      (e: unknown) => {
        if (e instanceof HelpRequested) {
          process.stdout.write(`${e.usage}\n`);
          process.exit(0);
        }
        const err = e instanceof Error ? e : new Error(String(e));
        process.stderr.write(`${err.name}: ${new Redactor().redact(err.message)}\n`);
        process.exit(2);
      },
  );
}
