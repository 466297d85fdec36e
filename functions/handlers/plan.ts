import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.ts';
import { Redactor } from '../../shared/redact.ts';
import { roundItemsKey } from '../../shared/workflow/names.ts';
import { groupBySite, planRun } from '../../shared/workflow/plan.ts';
import { acquireRunLock, releaseRunLock } from '../../shared/workflow/run-lock.ts';
import type { PlanOutput } from '../../shared/workflow/schemas.ts';
import { lambdaLogger } from './telemetry.ts';

const Env = z.object({ DATA_BUCKET: z.string().min(1) });

/** Clients a test may inject (moto_server, a local execution registry); built per invocation otherwise. */
export interface PlanHandlerDeps {
  s3?: () => S3Client;
  /** Whether an execution still runs; Step Functions DescribeExecution by default. */
  isRunning?: (executionArn: string) => Promise<boolean | undefined>;
}

/** DescribeExecution: RUNNING (or a redrive pending) is running; any answer but an error is an answer. */
async function describeRunning(executionArn: string): Promise<boolean | undefined> {
  try {
    const d = await new SFNClient({}).send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE';
  } catch (e) {
    if ((e as Error).name === 'ExecutionDoesNotExist') return false;
    return undefined;
  }
}

/**
 * Plan Lambda: first state of the workflow. Gets the configured units (written into the state machine at
 * synth time), the execution's name, ARN and start time, and the execution input; takes the run lock of the
 * snapshot date (a second execution for a date that is running fails here with RunLockedError); writes the run's
 * site list (units grouped by site) to S3 for the Distributed Map's ItemReader, and returns only counts and its key.
 */
export function createPlanHandler(deps: PlanHandlerDeps = {}) {
  return async (event: unknown): Promise<PlanOutput> => {
    const env = Env.safeParse(process.env);
    if (!env.success) throw new ConfigError('plan Lambda misconfigured: environment DATA_BUCKET is missing; redeploy the stack.');
    const { run, force, units, lock } = planRun(event);
    const sites = groupBySite(units);
    const itemsKey = roundItemsKey(run, 0);
    const s3 = (deps.s3 ?? (() => new S3Client({})))();
    const log = lambdaLogger(new Redactor());
    const lockDeps = { s3, bucket: env.data.DATA_BUCKET, isRunning: deps.isRunning ?? describeRunning, log };
    await acquireRunLock(lock, lockDeps);
    try {
      await s3.send(new PutObjectCommand({ Bucket: env.data.DATA_BUCKET, Key: itemsKey, Body: JSON.stringify(sites), ContentType: 'application/json' }));
    } catch (e) {
      await releaseRunLock(run.date, run.id, lockDeps);
      throw e;
    }
    return { run, force, round: 0, itemsKey, units: units.length, sites: sites.length, continued: 0 };
  };
}

export const handler = createPlanHandler();
