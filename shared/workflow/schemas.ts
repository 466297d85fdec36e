import { z } from 'zod';
import { ProductNameSchema, RunSchema, UnitSchema } from '../config.ts';
import { CheckpointSchema, StatsSchema } from '../contract.ts';

/**
 * Shapes that cross the workflow's edges: the execution input, what each Task state receives and
 * returns, the per-unit record a Map iteration ends with, and the run manifest written to S3.
 * Each handler parses its event with these, so a drift between the state machine and the code
 * fails loudly with the field named.
 */

/** Execution input. The schedule sends `{}`; `npm run sync` may narrow the run. Unknown keys are ignored. */
export const RunRequestSchema = z.object({
  /** Collect only these organizations. @default all */
  orgs: z.array(z.string().min(1)).min(1).optional(),
  /** Collect only these products. @default all */
  products: z.array(ProductNameSchema).min(1).optional(),
  /** Snapshot date (the dt= partition). @default the execution's start date, UTC */
  date: z.iso.date().optional(),
  /** Collect only these units, each `org/product/host` (as the manifest names them). @default all */
  units: z.array(z.string().regex(/^[^/]+\/[^/]+\/[^/]+$/, 'a unit is org/product/host, e.g. acme/jira/acme.atlassian.net')).min(1).optional(),
  /** Collect units that already published this date again (by default a unit is collected once per date). */
  force: z.boolean().optional(),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;

/** Payload of the plan Lambda. `units` are written into the state machine definition at synth time. */
export const PlanInputSchema = z.object({
  units: z.array(UnitSchema).min(1),
  execution: z.object({
    name: z.string().min(1),
    startTime: z.string().min(10),
    /** Execution ARN (`$$.Execution.Id`): the run lock names it. */
    id: z.string().default(''),
  }),
  /** The execution timeout: a run lock is stale after it at the latest. */
  lockSeconds: z.int().positive().default(23 * 3600),
  request: z.unknown(),
});
export type PlanInput = z.infer<typeof PlanInputSchema>;

/** The units of one site (host): collected one after another by one child execution, within one connection budget. */
export const SiteSchema = z.object({
  host: z.string().min(1),
  units: z.array(UnitSchema).min(1),
});
export type Site = z.infer<typeof SiteSchema>;

/**
 * The parent's state between its steps: counts and S3 keys only, whatever the number of units (the site
 * lists live in S3, read by the Distributed Map's ItemReader).
 */
export const RoundSchema = z.object({
  run: RunSchema,
  /** Collect units that already published this date again. */
  force: z.boolean(),
  /** 0 for the first round; a round collects the sites the previous one left unfinished. */
  round: z.int().min(0),
  /** Key (bucket root) of this round's site list. */
  itemsKey: z.string().min(1),
  units: z.int().min(0),
  sites: z.int().min(0),
  /** Sites the last round left unfinished (0 after plan). */
  continued: z.int().min(0),
});
export type Round = z.infer<typeof RoundSchema>;
/** What plan returns: the first round. */
export const PlanOutputSchema = RoundSchema;
export type PlanOutput = Round;

/** The error object Step Functions puts at `ResultPath` of a Catch. `Cause` is a JSON string for Lambda errors. */
export const CaughtErrorSchema = z.object({
  Error: z.string().default('States.Unknown'),
  Cause: z.string().optional(),
});

/** What one step of a site returns, and what the child's Choice routes on. Bounded: no unit data. */
export const StepSchema = z.object({
  /** `collect`: invoke again; `wait`: pause `waitSeconds`, then invoke; `publish`: unit `unit` completed; `done`: every unit settled. */
  next: z.enum(['collect', 'wait', 'publish', 'done']),
  waitSeconds: z.int().min(0),
  /** Steps taken by this child execution (it ends and continues in the next round at the configured bound). */
  count: z.int().min(0),
  /** Index in `site.units` of the unit the step worked on (-1 when done). */
  unit: z.int().min(-1),
  published: z.int().min(0).default(0),
  failed: z.int().min(0).default(0),
  skipped: z.int().min(0).default(0),
});
export type Step = z.infer<typeof StepSchema>;

/** The child execution's state: the run, its site, and the last step. */
export const SiteInputSchema = z.object({
  run: RunSchema,
  force: z.boolean().default(false),
  site: SiteSchema,
  step: StepSchema,
});
export type SiteInput = z.infer<typeof SiteInputSchema>;

/** The bounded error a failed unit keeps (the Catch's `Cause` with its stack is trimmed to this). */
export const UnitErrorSchema = z.object({ name: z.string(), message: z.string() });

/**
 * The durable record of one unit for one snapshot date (`state/units/dt=<date>/org=<org>/<unit>.json`),
 * written after every invocation: a new execution for the date, or a redrive, resumes from it.
 */
export const UnitStateSchema = z.object({
  v: z.literal(1),
  unit: UnitSchema,
  /** The run whose staging holds this unit's parts (the run that started collecting it). */
  run: RunSchema,
  status: z.enum(['collecting', 'collected', 'published', 'failed']),
  /** Where the next invocation resumes (null: start over, or nothing left to collect). */
  checkpoint: CheckpointSchema.nullable(),
  stats: StatsSchema,
  /** The execution (run id) that last changed this record: one execution settles a unit once. */
  lastRun: z.string(),
  /** Files published, when published. */
  files: z.int().optional(),
  error: UnitErrorSchema.optional(),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type UnitState = z.infer<typeof UnitStateSchema>;

/** Input of tally: the round that just ran and where the Map's ResultWriter put its results. */
export const TallyInputSchema = RoundSchema.extend({
  /** Key of the ResultWriter's manifest.json (absent when the Map itself failed). */
  resultKey: z.string().optional(),
});

/** Input of finalize and of the report. */
export const FinalizeInputSchema = RoundSchema;
export type FinalizeInput = z.infer<typeof FinalizeInputSchema>;

/** One unit in the manifest. */
export const ManifestUnitSchema = z.object({
  /** `org/product/host` */
  unit: z.string(),
  org: z.string(),
  product: ProductNameSchema,
  site: z.string(),
  /** `skipped`: published this date by an earlier execution, not collected again (use force to). */
  status: z.enum(['published', 'failed', 'skipped']),
  /** Files published into the dt=/org= partitions. */
  files: z.int().optional(),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
  // Counters: the collector's Stats (`invocations` counts successful Lambda invocations; a failed last
  // attempt is not counted).
}).extend(StatsSchema.shape);
export type ManifestUnit = z.infer<typeof ManifestUnitSchema>;

export const ManifestSchema = z.object({
  version: z.literal(1),
  run: RunSchema,
  status: z.enum(['succeeded', 'failed']),
  finishedAt: z.iso.datetime({ offset: true }),
  totals: z.object({
    units: z.int(),
    published: z.int(),
    failed: z.int(),
    skipped: z.int().default(0),
    rows: z.int(),
    requests: z.int(),
    invocations: z.int(),
  }),
  units: z.array(ManifestUnitSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** What the finalize Lambda returns; the state machine fails the run when `failed > 0`, with `message` as cause. */
export const FinalizeOutputSchema = z.object({
  status: z.enum(['succeeded', 'failed']),
  published: z.int(),
  failed: z.int(),
  skipped: z.int().default(0),
  manifestKey: z.string(),
  manifestUri: z.string(),
  /** Bounded: at most 16 KB (the manifest lists every error). */
  message: z.string(),
  /** The failed units only, at most {@link MAX_SUMMARY_UNITS}: the parent's state stays bounded. */
  units: z.array(
    z.object({ unit: z.string(), status: z.enum(['published', 'failed', 'skipped']), rows: z.int(), invocations: z.int(), error: z.string().optional() }),
  ),
});
/** Units listed in finalize's output (the failed ones first); the manifest in S3 has all of them. */
export const MAX_SUMMARY_UNITS = 20;
export type FinalizeOutput = z.infer<typeof FinalizeOutputSchema>;
