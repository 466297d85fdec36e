import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.ts';
import { jsonLogger, Redactor } from '../../shared/redact.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { finalizeRun } from '../../shared/workflow/finalize.ts';
import type { FinalizeOutput } from '../../shared/workflow/schemas.ts';
import { moduleFor } from '../index.ts';

const Env = z.object({
  DATA_BUCKET: z.string().min(1),
  /** Prefix of the tables and staging inside the bucket. */
  DATA_PREFIX: z.string().default(''),
});

/** Clients a test may inject (moto_server); built per invocation otherwise. */
export interface FinalizeHandlerDeps {
  s3?: () => S3Client;
}

/**
 * Finalize Lambda: publishes the units that completed, writes the run manifest and the access report
 * (`manifests/dt=<date>/<run id>.report.html`, and `manifests/latest-report.html`), and returns the summary
 * the state machine uses to fail the run when a unit failed.
 */
export function createFinalizeHandler(deps: FinalizeHandlerDeps = {}) {
  return async (event: unknown): Promise<FinalizeOutput> => {
    const env = Env.safeParse(process.env);
    if (!env.success) {
      throw new ConfigError(`finalize Lambda misconfigured: environment ${env.error.issues[0]?.path.join('.')} is missing or invalid; redeploy the stack.`);
    }
    const s3 = (deps.s3 ?? (() => new S3Client({})))();
    const bucket = env.data.DATA_BUCKET;
    return finalizeRun(event, {
      store: new S3Store(s3, bucket, env.data.DATA_PREFIX),
      moduleFor,
      log: jsonLogger(new Redactor(), (l) => console.log(l)),
      writeManifest: async (key, json) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: json, ContentType: 'application/json' }));
        return `s3://${bucket}/${key}`;
      },
      // The access report of the run's date, beside the manifest (same prefix: same permissions and retention).
      writeReport: async (key, html) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: html, ContentType: 'text/html; charset=utf-8' }));
        return `s3://${bucket}/${key}`;
      },
    });
  };
}

export const handler = createFinalizeHandler();
