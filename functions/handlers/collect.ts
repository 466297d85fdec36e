import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { collect } from '../../shared/engine/collect.ts';
import { progressLogger } from '../../shared/engine/progress-log.ts';
import type { CollectInput, CollectResult } from '../../shared/contract.ts';
import { ConfigError } from '../../shared/errors.ts';
import type { HttpClientOptions } from '../../shared/http/client.ts';
import { Redactor } from '../../shared/redact.ts';
import { credentialsFromSecret } from '../../shared/secrets.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import type { SiteInput, Step } from '../../shared/workflow/schemas.ts';
import { stateWatermarks } from '../../shared/workflow/state-store.ts';
import type { MetricsSink } from '../../shared/workflow/metrics.ts';
import { siteFailed, siteStep } from '../../shared/workflow/site.ts';
import { moduleFor } from '../index.ts';
import { lambdaLogger, lambdaMetrics } from './telemetry.ts';

const Env = z.object({
  DATA_BUCKET: z.string().min(1),
  DATA_PREFIX: z.string().default(''),
  /** Stop this long before the Lambda timeout. */
  SAFETY_MARGIN_MS: z.coerce.number().int().positive().optional(),
  /** Optional request budget per invocation (tests and cautious operators). */
  MAX_REQUESTS_PER_INVOCATION: z.coerce.number().int().positive().optional(),
});

/** The two Task states that invoke this Lambda: one step of a site, or recording its current unit failed. */
const ActionSchema = z.object({ action: z.enum(['step', 'fail']).default('step') });

/** Clients a test may inject (moto_server endpoints); built per invocation otherwise. */
export interface CollectHandlerDeps {
  s3?: () => S3Client;
  secrets?: () => SecretsManagerClient;
  http?: Partial<Omit<HttpClientOptions, 'baseUrl' | 'credentials' | 'context'>>;
  /** Where metrics go; Powertools Metrics (embedded metric format on stdout) by default. */
  metrics?: () => MetricsSink;
}

/**
 * Collect Lambda: one step of one site (one invocation of its current unit, whose record and checkpoint it
 * then writes to S3), or, after an error the workflow does not retry, recording that unit failed. Thin: it
 * wires AWS clients, the unit's secret and the Lambda clock to the shared code. Clients are built per
 * invocation, so nothing from one unit's config leaks into the next warm invocation.
 */
export function createCollectHandler(deps: CollectHandlerDeps = {}) {
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Step | SiteInput> => {
    const env = Env.safeParse(process.env);
    if (!env.success) {
      throw new ConfigError(`collect Lambda misconfigured: environment ${env.error.issues[0]?.path.join('.')} is missing or invalid; redeploy the stack.`);
    }
    const action = ActionSchema.safeParse(event);
    if (!action.success) throw new ConfigError(`collect: invalid event at 'action': ${action.error.issues[0]?.message}. Redeploy the stack.`);
    const redactor = new Redactor();
    const log = lambdaLogger(redactor);
    const s3 = (deps.s3 ?? (() => new S3Client({})))();
    const state = new S3Store(s3, env.data.DATA_BUCKET);
    if (action.data.action === 'fail') return siteFailed(event, { state, log, metrics: (deps.metrics ?? lambdaMetrics)() });
    const collectUnit = async (input: CollectInput): Promise<CollectResult> => {
      const credentials = await credentialsFromSecret((deps.secrets ?? (() => new SecretsManagerClient({})))(), input.unit.auth);
      return collect(input, {
        module: moduleFor(input.unit.product),
        store: new S3Store(s3, env.data.DATA_BUCKET, env.data.DATA_PREFIX),
        watermarks: stateWatermarks(state),
        credentials,
        redactor,
        log,
        onProgress: progressLogger(log),
        remainingMs: () => context.getRemainingTimeInMillis(),
        ...(env.data.SAFETY_MARGIN_MS ? { safetyMarginMs: env.data.SAFETY_MARGIN_MS } : {}),
        ...(env.data.MAX_REQUESTS_PER_INVOCATION ? { maxRequests: env.data.MAX_REQUESTS_PER_INVOCATION } : {}),
        ...(deps.http ? { http: deps.http } : {}),
      });
    };
    return siteStep(event, { state, log, collectUnit });
  };
}

export const handler = createCollectHandler();
