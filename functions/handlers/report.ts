import { AthenaClient } from '@aws-sdk/client-athena';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.ts';
import { jsonLogger, Redactor } from '../../shared/redact.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { AthenaQueryRunner } from '../../shared/sql/athena.ts';
import type { QueryRunner } from '../../shared/sql/runner.ts';
import { reportRun } from '../../shared/workflow/report.ts';
import { MODULES } from '../index.ts';

const Env = z.object({
  DATA_BUCKET: z.string().min(1),
  /** Prefix of the tables inside the bucket. */
  DATA_PREFIX: z.string().default(''),
  /** The stack's Athena workgroup (it enforces the result location and encryption) and Glue database. */
  ATHENA_WORKGROUP: z.string().min(1),
  GLUE_DATABASE: z.string().min(1),
});

/** Clients a test may inject (moto_server, a DuckDB runner); built per invocation otherwise. */
export interface ReportHandlerDeps {
  s3?: () => S3Client;
  /** The query runner; default Athena in ATHENA_WORKGROUP over GLUE_DATABASE. */
  runner?: () => QueryRunner;
  /** Pause between two checks of an Athena query (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /** The Lambda's environment; default process.env (a test running several handlers in one process passes its own). */
  env?: Record<string, string | undefined>;
}

/**
 * Report Lambda (the workflow's Report state, after finalize): the access report of the run's date from the
 * report's SQL over the views, run by Athena in the stack's workgroup, written to
 * `manifests/dt=<date>/<run id>.report.html` and `manifests/latest-report.html`. A failure is thrown (the state
 * shows it); the state's Catch goes on to the run's verdict, so the run is never failed by its report.
 */
export function createReportHandler(deps: ReportHandlerDeps = {}) {
  return async (event: unknown): Promise<{ report: string }> => {
    const env = Env.safeParse(deps.env ?? process.env);
    if (!env.success) {
      throw new ConfigError(`report Lambda misconfigured: environment ${env.error.issues[0]?.path.join('.')} is missing or invalid; redeploy the stack.`);
    }
    const { DATA_BUCKET: bucket, DATA_PREFIX: prefix, ATHENA_WORKGROUP: workGroup, GLUE_DATABASE: database } = env.data;
    const s3 = (deps.s3 ?? (() => new S3Client({})))();
    const log = jsonLogger(new Redactor(), (l) => console.log(l));
    const runner = deps.runner ? deps.runner() : new AthenaQueryRunner({
          athena: new AthenaClient({}),
          workGroup,
          database,
          log,
          // The whole report must fit the Report state's 10 minutes: at most 4 minutes a query.
          maxPolls: 120,
          failureAdvice: 'The report queries are in shared/report/sql.ts over the views of sql/views/ (npm run athena:check runs them on Trino); the run itself is unaffected',
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
        });
    return reportRun(event, {
      store: new S3Store(s3, bucket, prefix),
      modules: MODULES,
      runner,
      log,
      // Beside the manifest (same prefix: same readers and retention).
      writeReport: async (key, html) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: html, ContentType: 'text/html; charset=utf-8' }));
        return `s3://${bucket}/${key}`;
      },
    });
  };
}

export const handler = createReportHandler();
