import { AthenaClient } from '@aws-sdk/client-athena';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.ts';
import { convertWithAthena } from '../../shared/parquet/athena.ts';
import { Redactor } from '../../shared/redact.ts';
import type { AnyTable } from '../../shared/schema/table.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { finalizeRun, tallyRound } from '../../shared/workflow/finalize.ts';
import type { FinalizeOutput, Round, Step } from '../../shared/workflow/schemas.ts';
import { releaseRunLock } from '../../shared/workflow/run-lock.ts';
import { FinalizeInputSchema } from '../../shared/workflow/schemas.ts';
import { redriveFailedUnits } from '../../shared/workflow/redrive.ts';
import { sitePublish } from '../../shared/workflow/site.ts';
import type { MetricsSink } from '../../shared/workflow/metrics.ts';
import { moduleFor } from '../index.ts';
import { lambdaLogger, lambdaMetrics } from './telemetry.ts';

const Env = z.object({
  DATA_BUCKET: z.string().min(1),
  /** Prefix of the tables and staging inside the bucket. */
  DATA_PREFIX: z.string().default(''),
  /** Athena workgroup and Glue database of the Parquet conversion; both set only with the stack's `parquet` option. */
  ATHENA_WORKGROUP: z.string().min(1).optional(),
  GLUE_DATABASE: z.string().min(1).optional(),
});

/** The Task states that invoke this Lambda. */
const ActionSchema = z.object({ action: z.enum(['publish', 'tally', 'finalize', 'redrive']).default('finalize') });

/** Clients a test may inject (moto_server); built per invocation otherwise. */
export interface FinalizeHandlerDeps {
  s3?: () => S3Client;
  athena?: () => AthenaClient;
  /** Pause between two checks of an Athena query (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /** Where metrics go; Powertools Metrics (embedded metric format on stdout) by default. */
  metrics?: () => MetricsSink;
}

/**
 * Finalize Lambda, the one role that publishes: `publish` promotes one completed unit (called by the site's
 * child as soon as the unit completes); `tally` reads a Distributed Map round's results from S3 and plans the
 * next round; `finalize` writes the run manifest from the unit records (and with the stack's `parquet` option
 * converts the date to Parquet with Athena), releases the date's run lock, and returns the counts the state machine
 * uses to fail the run when a unit failed; `redrive` ends such a run with UnitsFailed, and on a Step Functions
 * redrive of it plans one more round over the failed units (shared/workflow/redrive.ts). The access report is the report Lambda's (functions/handlers/report.ts).
 */
export function createFinalizeHandler(deps: FinalizeHandlerDeps = {}) {
  return async (event: unknown): Promise<FinalizeOutput | Round | Step> => {
    const action = ActionSchema.safeParse(event);
    if (!action.success) throw new ConfigError(`finalize: invalid event at 'action': ${action.error.issues[0]?.message}. Redeploy the stack.`);
    const env = Env.safeParse(process.env);
    if (!env.success) {
      throw new ConfigError(`finalize Lambda misconfigured: environment ${env.error.issues[0]?.path.join('.')} is missing or invalid; redeploy the stack.`);
    }
    const { ATHENA_WORKGROUP: workGroup, GLUE_DATABASE: database } = env.data;
    if (!workGroup !== !database) {
      throw new ConfigError('finalize Lambda misconfigured: ATHENA_WORKGROUP and GLUE_DATABASE go together (the Parquet conversion); redeploy the stack.');
    }
    const s3 = (deps.s3 ?? (() => new S3Client({})))();
    const bucket = env.data.DATA_BUCKET;
    const store = new S3Store(s3, bucket, env.data.DATA_PREFIX);
    const log = lambdaLogger(new Redactor());
    const metrics = (deps.metrics ?? lambdaMetrics)();
    const state = new S3Store(s3, bucket);
    switch (action.data.action) {
      case 'publish':
        return sitePublish(event, { state, store, moduleFor, log, metrics });
      case 'tally':
        return tallyRound(event, { state, log });
      case 'redrive':
        return redriveFailedUnits(event, { state, log });
      case 'finalize':
        break;
    }
    const athena = workGroup && database ? (deps.athena ?? (() => new AthenaClient({})))() : undefined;
    const finalized = await finalizeRun(event, {
      store,
      state,
      moduleFor,
      log,
      metrics,
      ...(athena && workGroup && database
        ? {
            convertToParquet: (date: string, tables: readonly AnyTable[]) =>
              convertWithAthena(date, tables, { athena, store, bucket, dataPrefix: env.data.DATA_PREFIX, workGroup, database, log, ...(deps.sleep ? { sleep: deps.sleep } : {}) }),
          }
        : {}),
      writeManifest: async (key, json) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: json, ContentType: 'application/json' }));
        return `s3://${bucket}/${key}`;
      },
    });
    // The run is over: the next execution for the date may start (see shared/workflow/run-lock.ts).
    const { run } = FinalizeInputSchema.parse(event);
    await releaseRunLock(run.date, run.id, { s3, bucket, log });
    return finalized;
  };
}

export const handler = createFinalizeHandler();
