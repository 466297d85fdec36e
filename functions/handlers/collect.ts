import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { collect } from '../../shared/engine/collect.ts';
import { CollectInputSchema, type CollectResult } from '../../shared/contract.ts';
import { ConfigError } from '../../shared/errors.ts';
import { jsonLogger, Redactor } from '../../shared/redact.ts';
import { credentialsFromSecret } from '../../shared/secrets.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { moduleFor } from '../index.ts';

const Env = z.object({
  DATA_BUCKET: z.string().min(1),
  DATA_PREFIX: z.string().default(''),
  SAFETY_MARGIN_MS: z.coerce.number().int().positive().optional(),
});

/**
 * Collect Lambda: one invocation of one unit. Thin: it wires AWS clients, the unit's secret and the
 * Lambda clock to {@link collect}. Clients are built per invocation, so nothing from one unit's
 * config leaks into the next warm invocation.
 */
export async function handler(event: unknown, context: Context): Promise<CollectResult> {
  const env = Env.safeParse(process.env);
  if (!env.success) throw new ConfigError(`collect Lambda misconfigured: environment ${env.error.issues[0]?.path.join('.')} is missing; redeploy the stack.`);
  const input = CollectInputSchema.safeParse(event);
  if (!input.success) {
    throw new ConfigError(`invalid event at '${input.error.issues[0]?.path.join('.')}': ${input.error.issues[0]?.message}. The workflow passes { run, unit, checkpoint }.`);
  }
  const redactor = new Redactor();
  const log = jsonLogger(redactor, (l) => console.log(l));
  const credentials = await credentialsFromSecret(new SecretsManagerClient({}), input.data.unit.auth);
  return collect(input.data, {
    module: moduleFor(input.data.unit.product),
    store: new S3Store(new S3Client({}), env.data.DATA_BUCKET, env.data.DATA_PREFIX),
    credentials,
    redactor,
    log,
    remainingMs: () => context.getRemainingTimeInMillis(),
    ...(env.data.SAFETY_MARGIN_MS ? { safetyMarginMs: env.data.SAFETY_MARGIN_MS } : {}),
  });
}
