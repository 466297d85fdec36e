import { Readable } from 'node:stream';
import type { z } from 'zod';
import { unitId, type Run, type Unit } from '../config.ts';
import { StorageError } from '../errors.ts';
import type { BlobStore } from '../sink/store.ts';
import type { WatermarkLocation } from '../engine/incremental.ts';
import { STATE_PREFIX, unitStateKey } from './names.ts';
import { UnitStateSchema, type UnitState } from './schemas.ts';

/**
 * The workflow's durable state in the bucket (keys from the bucket root, under `state/`): JSON objects read
 * and written whole. A BlobStore, so the local run and the tests use a folder or moto like the data.
 */
export async function readJson<S extends z.ZodType>(store: BlobStore, key: string, schema: S): Promise<z.infer<S> | undefined> {
  const body = await store.readIfExists(key);
  if (!body) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new StorageError(`${store.location}${key} is not JSON (${(e as Error).message}); delete it to start that part of the run over.`, { cause: e });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new StorageError(
      `${store.location}${key} is not what this version writes (at '${i?.path.join('.')}': ${i?.message}); delete it to start that part of the run over.`,
    );
  }
  return parsed.data;
}

export async function writeJson(store: BlobStore, key: string, value: unknown): Promise<void> {
  await store.write(key, Readable.from([JSON.stringify(value)]));
}

/** The durable record of a unit for a date, if any. */
export function readUnitState(store: BlobStore, date: string, unit: Unit): Promise<UnitState | undefined> {
  return readJson(store, unitStateKey(date, unit), UnitStateSchema);
}

/** Write a unit's record. Its unit must be the one the key names. */
export async function writeUnitState(store: BlobStore, date: string, record: UnitState): Promise<void> {
  await writeJson(store, unitStateKey(date, record.unit), UnitStateSchema.parse(record));
}

/** How one execution sees a unit's record. */
export type UnitStanding =
  /** Settled by this execution (published or failed): nothing more to do in this run. */
  | { kind: 'settled'; status: 'published' | 'failed'; record: UnitState }
  /** Published for this date by an earlier execution; not collected again unless forced. */
  | { kind: 'skipped'; record: UnitState }
  /** Work to do: collect (from `checkpoint`, staging owned by `owner`), or publish when `record.status` is collected. */
  | { kind: 'todo'; owner: Run; checkpoint: UnitState['checkpoint']; record: UnitState | undefined };

/**
 * Where a unit stands for execution `run`. A unit resumes from its stored checkpoint, in the staging of the
 * run that started it, whichever execution that was: staged parts stay exactly-once across executions as they
 * are across invocations (parts are named by invocation sequence, and an invocation first discards parts of an
 * earlier attempt of itself).
 */
export function standing(run: Run, force: boolean, record: UnitState | undefined): UnitStanding {
  if (!record) return { kind: 'todo', owner: run, checkpoint: null, record };
  if (record.lastRun === run.id && (record.status === 'published' || record.status === 'failed')) {
    return { kind: 'settled', status: record.status, record };
  }
  if (record.status === 'published') return force ? { kind: 'todo', owner: run, checkpoint: null, record } : { kind: 'skipped', record };
  if (record.status === 'collected') return { kind: 'todo', owner: record.run, checkpoint: null, record };
  // collecting, or failed in an earlier execution: resume where it stopped (a failure keeps the last good checkpoint).
  if (record.checkpoint) return { kind: 'todo', owner: record.run, checkpoint: record.checkpoint, record };
  return { kind: 'todo', owner: run, checkpoint: null, record };
}

/** `org/product/host` of a record, for messages. */
export function recordId(record: UnitState): string {
  return unitId(record.unit);
}

/**
 * The audit-log watermarks in the workflow's state (`state/watermarks/<org>/<unit>.json`): read by the collect
 * role, moved by the finalize role when it publishes the unit (shared/engine/incremental.ts).
 */
export function stateWatermarks(state: BlobStore): WatermarkLocation {
  return { store: state, prefix: `${STATE_PREFIX}/` };
}
