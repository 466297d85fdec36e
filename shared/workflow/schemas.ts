import { z } from 'zod';
import { ProductSchema, RunSchema, UnitSchema } from '../config.ts';
import { StatsSchema } from '../contract.ts';

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
  products: z.array(ProductSchema).min(1).optional(),
  /** Snapshot date (the dt= partition). @default the execution's start date, UTC */
  date: z.iso.date().optional(),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;

/** Payload of the plan Lambda. `units` are written into the state machine definition at synth time. */
export const PlanInputSchema = z.object({
  units: z.array(UnitSchema).min(1),
  execution: z.object({ name: z.string().min(1), startTime: z.string().min(10) }),
  request: z.unknown(),
});
export type PlanInput = z.infer<typeof PlanInputSchema>;

export const PlanOutputSchema = z.object({
  run: RunSchema,
  units: z.array(UnitSchema).min(1),
});
export type PlanOutput = z.infer<typeof PlanOutputSchema>;

/** The error object Step Functions puts at `ResultPath` of a Catch. `Cause` is a JSON string for Lambda errors. */
export const CaughtErrorSchema = z.object({
  Error: z.string().default('States.Unknown'),
  Cause: z.string().optional(),
});

/** What one Map iteration (one unit) ends with. */
export const UnitRecordSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('collected'), unit: UnitSchema, stats: StatsSchema }),
  z.object({ status: z.literal('failed'), unit: UnitSchema, stats: StatsSchema, error: CaughtErrorSchema }),
]);
export type UnitRecord = z.infer<typeof UnitRecordSchema>;

export const FinalizeInputSchema = z.object({
  run: RunSchema,
  results: z.array(UnitRecordSchema),
});
export type FinalizeInput = z.infer<typeof FinalizeInputSchema>;

/** One unit in the manifest. */
export const ManifestUnitSchema = z.object({
  /** `org/product/host` */
  unit: z.string(),
  org: z.string(),
  product: ProductSchema,
  site: z.string(),
  status: z.enum(['published', 'failed']),
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
  manifestKey: z.string(),
  manifestUri: z.string(),
  message: z.string(),
  units: z.array(
    z.object({ unit: z.string(), status: z.enum(['published', 'failed']), rows: z.int(), invocations: z.int(), error: z.string().optional() }),
  ),
});
export type FinalizeOutput = z.infer<typeof FinalizeOutputSchema>;
