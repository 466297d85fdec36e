import { unitId, type Run, type Unit } from '../config.ts';
import type { Checkpoint, Stats } from '../contract.ts';
import { collect, publish, type CollectDeps } from '../engine/collect.ts';
import { CollectorError } from '../errors.ts';

/** Outcome of one unit run locally. */
export interface UnitOutcome {
  readonly unit: Unit;
  readonly ok: boolean;
  readonly stats?: Stats;
  readonly invocations: number;
  readonly publishedFiles?: number;
  readonly error?: Error;
  readonly elapsedMs: number;
}

/**
 * Collect one unit the way the workflow does: invoke the handler, and while it returns `done: false`
 * invoke it again with only the serialized checkpoint of the one before (a JSON round trip); then publish.
 * A failure leaves the previously published partition untouched.
 */
export async function runUnit(
  run: Run,
  unit: Unit,
  deps: () => CollectDeps | Promise<CollectDeps>,
  hooks: {
    onInvocation?: (n: number, checkpointBytes: number) => void;
    /** Sleep before resuming a rate-limited unit (injected in tests). */
    sleep?: (ms: number) => Promise<void>;
    onWait?: (seconds: number) => void;
    /** Start from this checkpoint (an interrupted local run's), instead of the beginning. */
    resumeFrom?: Checkpoint | null;
    /** Called with each checkpoint the handler returns, and with null once the unit is published. */
    onCheckpoint?: (checkpoint: Checkpoint | null) => Promise<void>;
  } = {},
): Promise<UnitOutcome> {
  const started = Date.now();
  let wire: string | null = hooks.resumeFrom ? JSON.stringify(hooks.resumeFrom) : null;
  let invocations = 0;
  try {
    for (;;) {
      invocations++;
      const checkpoint = wire === null ? null : (JSON.parse(wire) as Checkpoint);
      // Fresh deps per invocation, as a Lambda builds them: credentials are read again (OAuth secrets rotate).
      const d = await deps();
      const res = await collect({ run, unit, checkpoint }, d);
      if (res.done) {
        const p = await publish(d.store, run, unit, d.module);
        await hooks.onCheckpoint?.(null);
        return { unit, ok: true, stats: res.stats, invocations, publishedFiles: p.files, elapsedMs: Date.now() - started };
      }
      wire = JSON.stringify(res.checkpoint);
      if (res.checkpoint) await hooks.onCheckpoint?.(res.checkpoint);
      hooks.onInvocation?.(invocations, Buffer.byteLength(wire));
      if (res.waitSeconds > 0) {
        hooks.onWait?.(res.waitSeconds);
        await (hooks.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(res.waitSeconds * 1000);
      }
    }
  } catch (e) {
    const error = e instanceof Error ? e : new CollectorError(String(e));
    return { unit, ok: false, invocations, error, elapsedMs: Date.now() - started };
  }
}

export { unitId };
