import { z } from 'zod';
import { RunSchema, UnitSchema, type Run, type Unit } from './config.ts';

/** Counters of one unit, summed over all its invocations. Bounded by the number of tables. */
export const StatsSchema = z.object({
  rows: z.record(z.string(), z.int()),
  requests: z.int(),
  retries: z.int(),
  pages: z.int(),
  /** Children skipped because their parent vanished (404 between listing and child request). */
  skipped: z.int(),
  /** Rows the key guard dropped: an offset API sent again a row this stream already wrote (see paginate). */
  repeatsDropped: z.int().default(0),
  /** Answers 429 Too Many Requests (records written before this counter read 0). */
  throttled: z.int().default(0),
  /** Audit events read again in the overlap window and dropped because an earlier day stored them (see shared/engine/incremental.ts). */
  alreadyStored: z.int().default(0),
  /** Optional endpoints that refused (403), by stream: the message naming the scope or plan needed. Their tables stay empty. */
  refused: z.record(z.string(), z.string()).default({}),
  invocations: z.int(),
  elapsedMs: z.int(),
});
export type Stats = z.infer<typeof StatsSchema>;

export function emptyStats(): Stats {
  return { rows: {}, requests: 0, retries: 0, pages: 0, skipped: 0, repeatsDropped: 0, throttled: 0, alreadyStored: 0, refused: {}, invocations: 0, elapsedMs: 0 };
}

/** Opaque, JSON, bounded-size resume point. Only the engine reads it. */
export const CheckpointSchema = z.object({
  v: z.literal(1),
  /** Invocation sequence number: parts written by invocation `seq` are named with it. */
  seq: z.int().min(0),
  /** Index of the top-level stream in progress. */
  stream: z.int().min(0),
  /** Position inside that stream (engine-defined; validated by the engine). */
  frame: z.json(),
  /** API base URL resolved by the first invocation (e.g. the gateway URL with the cloud id). */
  baseUrl: z.string().optional(),
  /** Incremental streams: this run's windows and the recent events it stored (engine-defined, shared/engine/incremental.ts). */
  incremental: z.json().optional(),
  /** Consecutive rate-limit pauses without progress. */
  idleWaits: z.int().min(0).optional(),
  stats: StatsSchema,
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** What the collect handler gets: the Lambda event and the local loop's argument alike. */
export const CollectInputSchema = z.object({
  run: RunSchema,
  unit: UnitSchema,
  // Optional as well as nullable: Step Functions payloads built by CDK drop null values.
  checkpoint: CheckpointSchema.nullish().transform((c) => c ?? null),
});
export interface CollectInput {
  run: Run;
  unit: Unit;
  checkpoint: Checkpoint | null;
}

/** What the collect handler returns. When `done` is false, call it again with `checkpoint`. */
export interface CollectResult {
  done: boolean;
  checkpoint: Checkpoint | null;
  stats: Stats;
  /**
   * Seconds to wait before the next invocation (0: at once). Set when the API rate limits the unit for
   * longer than an invocation should sleep; the workflow's Wait state honours it.
   */
  waitSeconds: number;
}
