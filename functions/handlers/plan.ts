import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.ts';
import { roundItemsKey } from '../../shared/workflow/names.ts';
import { groupBySite, planRun } from '../../shared/workflow/plan.ts';
import type { PlanOutput } from '../../shared/workflow/schemas.ts';

const Env = z.object({ DATA_BUCKET: z.string().min(1) });

/** Clients a test may inject (moto_server); built per invocation otherwise. */
export interface PlanHandlerDeps {
  s3?: () => S3Client;
}

/**
 * Plan Lambda: first state of the workflow. Gets the configured units (written into the state machine at
 * synth time), the execution's name and start time, and the execution input; writes the run's site list
 * (units grouped by site) to S3 for the Distributed Map's ItemReader, and returns only counts and its key.
 */
export function createPlanHandler(deps: PlanHandlerDeps = {}) {
  return async (event: unknown): Promise<PlanOutput> => {
    const env = Env.safeParse(process.env);
    if (!env.success) throw new ConfigError('plan Lambda misconfigured: environment DATA_BUCKET is missing; redeploy the stack.');
    const { run, force, units } = planRun(event);
    const sites = groupBySite(units);
    const itemsKey = roundItemsKey(run, 0);
    const s3 = (deps.s3 ?? (() => new S3Client({})))();
    await s3.send(new PutObjectCommand({ Bucket: env.data.DATA_BUCKET, Key: itemsKey, Body: JSON.stringify(sites), ContentType: 'application/json' }));
    return { run, force, round: 0, itemsKey, units: units.length, sites: sites.length, continued: 0 };
  };
}

export const handler = createPlanHandler();
