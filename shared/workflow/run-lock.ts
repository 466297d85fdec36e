import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { CollectorError, StorageError } from '../errors.ts';
import { silentLogger, type Logger } from '../redact.ts';
import { runLockKey } from './names.ts';

/**
 * The run lock of a snapshot date: one object per date (`state/locks/dt=<date>.json`) naming the execution
 * collecting it. Taken by plan with a conditional put (`If-None-Match: *`: S3 creates the object only if it does
 * not exist, "Conditional requests" in the Amazon S3 user guide), released by finalize at the end of the run.
 * A lock whose execution no longer runs (stopped, failed, timed out before finalize) is stale: the next execution
 * takes it over with `If-Match` on its ETag, so two executions never both take a stale lock. Without a way to ask
 * Step Functions, a lock is stale after the execution timeout it records.
 */

export const RunLockSchema = z.object({
  v: z.literal(1),
  date: z.iso.date(),
  /** Execution name (the run id derives from it). */
  runId: z.string().min(1),
  /** Execution ARN (`$$.Execution.Id`), for DescribeExecution and the message. */
  executionArn: z.string(),
  startTime: z.string(),
  /** When the lock is stale whatever Step Functions says: the execution's start plus its timeout. */
  expiresAt: z.iso.datetime({ offset: true }),
});
export type RunLock = z.infer<typeof RunLockSchema>;

/** Base class of the workflow's own errors (the run, not a unit). */
export class WorkflowError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'WorkflowError';
  }
}

/** Another execution is collecting the same snapshot date. */
export class RunLockedError extends WorkflowError {
  readonly holder: RunLock;
  constructor(holder: RunLock, message: string) {
    super(message);
    this.name = 'RunLockedError';
    this.holder = holder;
  }
}

export interface RunLockDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Whether an execution still runs (Step Functions DescribeExecution); undefined when it cannot tell. */
  readonly isRunning?: (executionArn: string) => Promise<boolean | undefined>;
  readonly now?: () => Date;
  readonly log?: Logger;
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

async function readLock(deps: RunLockDeps, key: string): Promise<{ lock: RunLock; etag: string } | undefined> {
  let text: string;
  let etag: string;
  try {
    const r = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
    text = (await r.Body?.transformToString('utf8')) ?? '';
    etag = r.ETag ?? '';
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey' || status(e) === 404) return undefined;
    throw new StorageError(`could not read the run lock s3://${deps.bucket}/${key} (${(e as Error).name}); check the plan role may read state/locks/.`, { cause: e });
  }
  let parsed: RunLock | undefined;
  try {
    parsed = RunLockSchema.parse(JSON.parse(text));
  } catch {
    // Unreadable (an older version, an edit by hand): treat it as stale, it names no execution to wait for.
    parsed = undefined;
  }
  return { lock: parsed ?? { v: 1, date: '1970-01-01', runId: '?', executionArn: '', startTime: '', expiresAt: new Date(0).toISOString() }, etag };
}

/** Put `lock` at `key` only if the object does not exist (etag undefined) or still has `etag`. False when another got there first. */
async function conditionalPut(deps: RunLockDeps, key: string, lock: RunLock, etag?: string): Promise<boolean> {
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: JSON.stringify(lock),
        ContentType: 'application/json',
        ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
      }),
    );
    return true;
  } catch (e) {
    // 412 Precondition Failed: the object exists (or changed); 409 ConditionalRequestConflict: a concurrent write won.
    if (status(e) === 412 || status(e) === 409) return false;
    throw new StorageError(`could not write the run lock s3://${deps.bucket}/${key} (${(e as Error).name}); check the plan role may write state/locks/.`, { cause: e });
  }
}

/**
 * Take the lock of `lock.date` for `lock`'s execution, or throw {@link RunLockedError} naming the execution that
 * holds it and what to do. Idempotent for the same execution (a retried plan).
 */
export async function acquireRunLock(lock: RunLock, deps: RunLockDeps): Promise<void> {
  const key = runLockKey(lock.date);
  const log = deps.log ?? silentLogger;
  const now = (deps.now ?? (() => new Date()))();
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await conditionalPut(deps, key, lock)) return;
    const held = await readLock(deps, key);
    if (!held) continue; // released in between: try again
    const h = held.lock;
    if (h.runId === lock.runId && h.executionArn === lock.executionArn) return;
    const running = h.executionArn ? await deps.isRunning?.(h.executionArn) : false;
    const expired = Date.parse(h.expiresAt) <= now.getTime();
    if (running === false || (running === undefined && expired)) {
      log.warn('taking over a stale run lock', { date: lock.date, heldBy: h.runId, expiresAt: h.expiresAt, running: running ?? 'unknown' });
      if (await conditionalPut(deps, key, lock, held.etag)) return;
      continue; // another execution took it over first: look again
    }
    throw new RunLockedError(
      h,
      `snapshot date ${lock.date} is already being collected by execution ${h.runId} (${h.executionArn || 'unknown ARN'}, started ${h.startTime}). ` +
        `Wait for it to finish (npm run sync -- --wait follows a run), or stop it (aws stepfunctions stop-execution --execution-arn ${h.executionArn || '<arn>'}) ` +
        `and start again: units it already published are not collected again. The lock is s3://${deps.bucket}/${key}; it is stale once that execution no longer runs (at the latest ${h.expiresAt}).`,
    );
  }
  throw new WorkflowError(`could not take the run lock s3://${deps.bucket}/${key}: other executions kept changing it. Start the run again.`);
}

/** Release the lock of `date` if `runId` holds it (finalize, at the end of the run). Never fails the run. */
export async function releaseRunLock(date: string, runId: string, deps: RunLockDeps): Promise<boolean> {
  const key = runLockKey(date);
  const log = deps.log ?? silentLogger;
  try {
    const held = await readLock(deps, key);
    if (!held || held.lock.runId !== runId) return false;
    await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key }));
    return true;
  } catch (e) {
    // A lock left behind is stale once this execution ends: the next one takes it over.
    log.warn('could not release the run lock; the next execution takes it over once this one ends', { date, error: (e as Error).name });
    return false;
  }
}
