import { Readable } from 'node:stream';
import { z } from 'zod';
import { unitId, unitSlug, type Run, type Unit } from '../config.ts';
import { StorageError } from '../errors.ts';
import { stagingPrefix } from '../sink/layout.ts';
import type { BlobStore } from '../sink/store.ts';
import type { IncrementalHooks, Stream, TimeWindow } from './streams.ts';

/**
 * Watermarks of the incremental streams (the audit logs): how far each append-only log was read by the unit's
 * last published collection, and the ids of the events it stored near that point, so the next run can read
 * again an overlap window (events an API lists late) and drop what was stored already. An event is thereby
 * stored exactly once across days.
 *
 * The watermark moves only when the unit publishes: a collection writes its new watermark to its staging
 * (`_watermark.json` beside the completion marker) and {@link publish} copies it into place after the unit's
 * files, before staging is cleared. A failed or abandoned run leaves the previous watermark, so the next run
 * reads its events again.
 *
 * Where it lives: in AWS beside the unit records (`state/watermarks/<org>/<unit>.json` in the data bucket, read
 * by the collect role, written by the finalize role that publishes); locally in the output folder
 * (`<out>/_state/watermarks/<org>/<unit>.json`, beside `<out>/_checkpoints/`).
 */

/** Defaults of the unit options `auditBackfillDays` and `auditOverlapMinutes`. */
export const DEFAULT_BACKFILL_DAYS = 30;
export const DEFAULT_OVERLAP_MINUTES = 60;

/** One stream's watermark: the end of the window it read, and the events it stored at or after `to` − overlap. */
const StreamMarkSchema = z.object({
  to: z.iso.datetime({ offset: true }),
  /** Event id → event time, for events stored with time ≥ `to` − overlap. */
  seen: z.record(z.string(), z.string()),
});
type StreamMark = z.infer<typeof StreamMarkSchema>;

const MarksSchema = z.object({ date: z.iso.date(), run: z.string(), streams: z.record(z.string(), StreamMarkSchema) });
type Marks = z.infer<typeof MarksSchema>;

/**
 * The record: the marks the last published run left, and the ones it started from (`prior`), so collecting
 * the same date again (a forced re-run replaces that date's files) reads from where that date started.
 */
export const WatermarkSchema = MarksSchema.extend({ v: z.literal(1), prior: MarksSchema.nullable() });
export type Watermark = z.infer<typeof WatermarkSchema>;

/** Where watermarks are kept: a store and the key prefix inside it. */
export interface WatermarkLocation {
  readonly store: BlobStore;
  /** e.g. `state/` (the bucket root store in AWS) or `_state/` (the local output folder). */
  readonly prefix: string;
}

/** The local default: the output folder, under `_state/`. */
export function localWatermarks(store: BlobStore): WatermarkLocation {
  return { store, prefix: '_state/' };
}

export function watermarkKey(where: WatermarkLocation, unit: Unit): string {
  return `${where.prefix}watermarks/${unit.org}/${unitSlug(unit)}.json`;
}

/** Key of the watermark a completed collection staged for {@link publishWatermark}. */
export function stagedWatermarkKey(run: Run, unit: Unit): string {
  return `${stagingPrefix(run, unit)}_watermark.json`;
}

async function readRecord(store: BlobStore, key: string, what: string): Promise<Watermark | undefined> {
  const body = await store.readIfExists(key);
  if (!body) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new StorageError(`${what} ${store.location}/${key} is not JSON (${(e as Error).message}); delete it and the next run backfills again.`, { cause: e });
  }
  const r = WatermarkSchema.safeParse(raw);
  if (!r.success) {
    throw new StorageError(`${what} ${store.location}/${key} is not one this version writes (${r.error.issues[0]?.message}); delete it and the next run backfills again.`);
  }
  return r.data;
}

/** Every incremental stream of a tree, by name. */
export function incrementalStreams(streams: readonly Stream[]): Stream[] {
  const out: Stream[] = [];
  const walk = (list: readonly Stream[]): void => {
    for (const s of list) {
      if (s.incremental) out.push(s);
      walk(s.children);
    }
  };
  walk(streams);
  return out;
}

/** What a run carries in its checkpoint for its incremental streams: fixed windows, and the recent events it stored. */
export const IncrementalStateSchema = z.object({
  windows: z.record(z.string(), z.object({ from: z.string(), to: z.string() })),
  recent: z.record(z.string(), z.record(z.string(), z.string())),
  /** Streams whose endpoint refused (403): their watermark stays where it was. */
  refused: z.array(z.string()),
});
export type IncrementalState = z.infer<typeof IncrementalStateSchema>;

const DAY_MS = 86_400_000;

/**
 * One run's view of its incremental streams: the watermark it starts from, and the hooks the engine calls.
 * Built at every invocation from the stored watermark and the checkpoint's state.
 */
export class IncrementalRun {
  private constructor(
    private readonly base: Marks | null,
    private readonly record: Watermark | undefined,
    readonly state: IncrementalState,
    private readonly overlapMs: number,
  ) {}

  /**
   * Read the unit's watermark and fix this run's windows (first invocation), or take them from the checkpoint.
   * `now` is the end of every window.
   */
  static async open(
    where: WatermarkLocation,
    run: Run,
    unit: Unit,
    streams: readonly Stream[],
    state: IncrementalState | undefined,
    now: Date,
  ): Promise<IncrementalRun> {
    const record = await readRecord(where.store, watermarkKey(where, unit), `the audit-log watermark of ${unitId(unit)}`);
    // Collecting the date the record was published for again: start where that date started.
    const base = record ? (record.date === run.date ? record.prior : record) : null;
    const overlapMs = (unit.auditOverlapMinutes ?? DEFAULT_OVERLAP_MINUTES) * 60_000;
    if (state) return new IncrementalRun(base, record, state, overlapMs);
    const windows: IncrementalState['windows'] = {};
    const to = now.toISOString();
    for (const s of incrementalStreams(streams)) {
      const mark = base?.streams[s.name];
      const backfill = Math.min(unit.auditBackfillDays ?? DEFAULT_BACKFILL_DAYS, s.incremental?.retentionDays ?? DEFAULT_BACKFILL_DAYS);
      const from = mark ? Date.parse(mark.to) - overlapMs : now.getTime() - backfill * DAY_MS;
      windows[s.name] = { from: new Date(Math.min(from, now.getTime())).toISOString(), to };
    }
    return new IncrementalRun(base, record, { windows, recent: {}, refused: [] }, overlapMs);
  }

  /** The hooks of {@link runStreams}. */
  hooks(): IncrementalHooks {
    return {
      window: (stream) => this.window(stream),
      stored: (stream, id) => this.base?.streams[stream]?.seen[id] !== undefined,
      kept: (stream, id, time) => {
        const w = this.window(stream);
        if (Date.parse(time) < Date.parse(w.to) - this.overlapMs) return;
        (this.state.recent[stream] ??= {})[id] = time;
      },
    };
  }

  /** An incremental stream's endpoint refused: its watermark is not moved. */
  refused(stream: string): void {
    if (this.state.windows[stream] && !this.state.refused.includes(stream)) this.state.refused.push(stream);
  }

  private window(stream: string): TimeWindow {
    const w = this.state.windows[stream];
    if (!w) throw new StorageError(`no window for incremental stream ${stream} in the checkpoint; start the unit again without a checkpoint.`);
    return w;
  }

  /** The watermark to publish with the unit, or undefined when the unit has no incremental stream. */
  next(run: Run): Watermark | undefined {
    const names = Object.keys(this.state.windows);
    if (!names.length) return undefined;
    const streams: Record<string, StreamMark> = {};
    for (const name of names) {
      const w = this.state.windows[name];
      const old = this.base?.streams[name];
      if (!w) continue;
      if (this.state.refused.includes(name)) {
        if (old) streams[name] = old;
        continue;
      }
      const cut = Date.parse(w.to) - this.overlapMs;
      const seen: Record<string, string> = {};
      for (const [id, t] of Object.entries(old?.seen ?? {})) if (Date.parse(t) >= cut) seen[id] = t;
      Object.assign(seen, this.state.recent[name] ?? {});
      streams[name] = { to: w.to, seen };
    }
    // Nothing read and nothing before (every log refused): no watermark, the next run backfills.
    if (!Object.keys(streams).length && !this.base) return undefined;
    return { v: 1, date: run.date, run: run.id, streams, prior: this.base ? { date: this.base.date, run: this.base.run, streams: this.base.streams } : null };
  }

  /** For messages: whether a stored watermark was found. */
  get resumed(): boolean {
    return this.record !== undefined;
  }
}

/** Stage the run's next watermark beside its completion marker. */
export async function stageWatermark(store: BlobStore, run: Run, unit: Unit, mark: Watermark): Promise<void> {
  await store.write(stagedWatermarkKey(run, unit), Readable.from([JSON.stringify(WatermarkSchema.parse(mark))]));
}

/**
 * Move the staged watermark into place: called by publish after the unit's files are in their partitions and
 * before staging is cleared, so a publish that crashes in between and is run again still finds it.
 */
export async function publishWatermark(store: BlobStore, run: Run, unit: Unit, where: WatermarkLocation): Promise<boolean> {
  const staged = stagedWatermarkKey(run, unit);
  const mark = await readRecord(store, staged, `the staged audit-log watermark of ${unitId(unit)}`);
  if (!mark) return false;
  await where.store.write(watermarkKey(where, unit), Readable.from([JSON.stringify(mark)]));
  return true;
}
