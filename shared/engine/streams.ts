import { z } from 'zod';
import { CollectorError, NotFoundError, PermissionError } from '../errors.ts';
import type { HttpClient } from '../http/client.ts';
import type { RowInput, TableDef } from '../schema/table.ts';
import { paginate, type Cursor, type Json, type Page, type PageStyle } from './paginate.ts';

/** A row bound for a table. Build it with {@link row} so its shape is checked against the table. */
export interface RowOut {
  readonly table: TableDef;
  readonly row: Record<string, unknown>;
}

/** Typed row constructor: `row(jiraUsers, { account_id, ... })`. */
export function row<T extends TableDef>(table: T, data: RowInput<T>): RowOut {
  return { table, row: data as Record<string, unknown> };
}

/** What a 404 on a stream's endpoint means. */
export type NotFoundPolicy =
  /** The parent vanished between listing and this request: skip the parent's children, count it. */
  | 'skip-parent'
  /** The endpoint answers 404 for "nothing matches" (Jira project/search, facts sheet Q9): no items. */
  | 'empty'
  /** A real failure. */
  | 'fail';

/** The time range an incremental stream reads in this run: ISO-8601 instants, both inclusive. */
export interface TimeWindow {
  readonly from: string;
  readonly to: string;
}

/** No window: what a stream that is not incremental is handed. */
export const NO_WINDOW: TimeWindow = { from: '', to: '' };

/**
 * An append-only log read incrementally (the audit logs): each run reads the events of a {@link TimeWindow} the
 * engine computes from the watermark the unit's last publication left (see shared/engine/incremental.ts), and
 * drops the events earlier days already stored, by id, so an event is stored exactly once across days.
 */
export interface Incremental {
  /** The event's id, stable and unique in the log. */
  readonly id: (item: unknown) => string;
  /** When the event happened (ISO-8601): what the window and the overlap are measured on. */
  readonly time: (item: unknown) => string;
  /** Days the product keeps its log: the first run reads back at most this far, whatever `auditBackfillDays` says. */
  readonly retentionDays: number;
}

/**
 * A stream: one paginated endpoint, the rows each item yields, and child streams run for each item
 * with a small JSON key (e.g. the group id). Build with {@link defineStream}.
 */
export interface Stream {
  readonly name: string;
  /** The page style; an {@link incremental} stream gets this run's window. */
  readonly style: (parent: Json, window?: TimeWindow) => PageStyle<unknown>;
  readonly incremental?: Incremental;
  readonly rows: (item: unknown, parent: Json) => RowOut[];
  readonly childKey: (item: unknown, parent: Json) => Json | undefined;
  readonly children: readonly Stream[];
  readonly notFound: NotFoundPolicy;
  /**
   * An endpoint outside the published API that some credentials may not reach (e.g. UPM for installed apps):
   * a 403 leaves the stream empty and counts it as skipped instead of failing the unit.
   */
  readonly optional: boolean;
  /**
   * For an {@link optional} stream: the key its children run with, once, when the endpoint refuses its first
   * page (403), so a cheaper listing can fall back to a costlier path (the Admin API Access token listing to
   * per-account token requests). The task sits in the frame like any other, so the choice survives a
   * checkpoint. Undefined: a refusal only leaves the stream empty.
   */
  readonly fallback?: Json;
  /**
   * What an error of this stream's endpoint means for one parent, decided before the {@link NotFoundPolicy}:
   * `'vanished'` skips the parent (counted), an Error replaces the error, `undefined` leaves it to the policy.
   * It may send requests (a probe of the parent) through `client`.
   */
  readonly diagnose?: (e: CollectorError, parent: Json, client: HttpClient) => Promise<Error | 'vanished' | undefined>;
}

/**
 * Define a stream. `P` is the key its parent hands it (`null` for top-level streams), `T` its item type,
 * `C` the key it hands its children.
 */
export function defineStream<P extends Json, T, C extends Json = null>(def: {
  name: string;
  style: (parent: P, window: TimeWindow) => PageStyle<T>;
  /** An append-only log read from a watermark (see {@link Incremental}). */
  incremental?: { id: (item: T) => string; time: (item: T) => string; retentionDays: number };
  rows?: (item: T, parent: P) => RowOut[];
  childKey?: (item: T, parent: P) => C | undefined;
  children?: readonly Stream[];
  notFound?: NotFoundPolicy;
  optional?: boolean;
  fallback?: C;
  diagnose?: (e: CollectorError, parent: P, client: HttpClient) => Promise<Error | 'vanished' | undefined>;
}): Stream {
  // The engine hands each stream exactly the key its parent's childKey produced (or null at the top);
  // the casts below only erase the generic types for storage in one heterogeneous tree.
  return {
    name: def.name,
    style: ((parent: P, window?: TimeWindow) => def.style(parent, window ?? NO_WINDOW)) as (parent: Json, window?: TimeWindow) => PageStyle<unknown>,
    ...(def.incremental
      ? {
          incremental: {
            id: def.incremental.id as (item: unknown) => string,
            time: def.incremental.time as (item: unknown) => string,
            retentionDays: def.incremental.retentionDays,
          },
        }
      : {}),
    rows: (def.rows ?? (() => [])) as (item: unknown, parent: Json) => RowOut[],
    childKey: (def.childKey ?? (() => undefined)) as (item: unknown, parent: Json) => Json | undefined,
    children: def.children ?? [],
    notFound: def.notFound ?? 'fail',
    optional: def.optional ?? false,
    ...(def.fallback !== undefined ? { fallback: def.fallback } : {}),
    ...(def.diagnose ? { diagnose: def.diagnose as (e: CollectorError, parent: Json, client: HttpClient) => Promise<Error | 'vanished' | undefined> } : {}),
  };
}

/** A parent item whose child streams have not all run: its key, the child stream in progress and its frame. */
export interface Task {
  key: Json;
  /** Index of the child stream in progress. */
  child: number;
  /** Position inside that child stream; null before it starts. */
  sub: Frame | null;
}

/** Position inside one stream: next page, and the items of the last page whose children are still to run. */
export interface Frame {
  /** Cursor of the next page (null = first page). */
  cursor: Json;
  /** The stream's pages are exhausted (only `pending` may be left). */
  done: boolean;
  /** Items of the last page whose children have not all run, in page order. Bounded by one page. */
  pending: Task[];
}

const TaskSchema: z.ZodType<Task> = z.lazy(() => z.object({ key: z.json(), child: z.int().min(0), sub: FrameSchema.nullable() }));
export const FrameSchema: z.ZodType<Frame> = z.lazy(() => z.object({ cursor: z.json(), done: z.boolean(), pending: z.array(TaskSchema) }));

/** Mutable engine position: consistent (resumable) at every page boundary. */
export interface Position {
  /** Index of the top-level stream in progress. */
  stream: number;
  /** Its frame; null before it starts. */
  frame: Frame | null;
}

/** One page done: its stream, items, rows emitted and, for a top-level stream whose endpoint says, the list's total. */
export interface BoundaryInfo {
  readonly stream: string;
  readonly items: number;
  readonly dropped: number;
  /** Rows the page's items produced (every table). */
  readonly rows: number;
  /** Items in the whole list (top-level streams only: a child stream's total is one parent's). */
  readonly total?: number;
  /** Incremental streams: events of the page an earlier day already stored (dropped). */
  readonly known: number;
}

/** Callbacks of one engine run. */
export interface EngineHooks {
  /** Called with each page's rows; rows must be buffered before `boundary` runs. */
  emit(rows: readonly RowOut[]): void;
  /** Called after each page, once the position is consistent. Throw {@link StopSignal} to stop here. */
  boundary(info: BoundaryInfo): Promise<void>;
  /** A parent vanished (404 on its child endpoint), or an optional endpoint refused (`reason`: the 403 message). */
  skipped(info: { stream: string; key: Json; reason?: string }): void;
  /** Incremental streams: their windows, and what earlier days stored (required when a stream is incremental). */
  readonly incremental?: IncrementalHooks;
}

/** What the engine asks about an {@link Incremental} stream. */
export interface IncrementalHooks {
  /** The stream's window in this run (fixed at the run's first invocation). */
  window(stream: string): TimeWindow;
  /** True when an earlier day already stored this event: the engine drops it. */
  stored(stream: string, id: string): boolean;
  /** An event this run stores. */
  kept(stream: string, id: string, time: string): void;
}


/** Thrown by a boundary hook to end the invocation at a consistent position. */
export class StopSignal {
  readonly stop = true;
}

class Vanished {
  constructor(readonly stream: string) {}
}

interface RunContext {
  readonly client: HttpClient;
  readonly hooks: EngineHooks;
  readonly concurrency: number;
  /** Set when one worker stops or fails: the others stop at their next page boundary. */
  stopping: boolean;
}

/**
 * Run `streams` from `position`, mutating it as pages complete. The children of one page's items run
 * `concurrency` at a time (the HTTP client's pool bounds the requests in flight). Returns when all
 * streams are done; a {@link StopSignal} thrown by `hooks.boundary` ends the run with every worker at a
 * page boundary and `position` resumable.
 */
export async function runStreams(
  client: HttpClient,
  streams: readonly Stream[],
  position: Position,
  hooks: EngineHooks,
  options: { concurrency?: number } = {},
): Promise<void> {
  const ctx: RunContext = { client, hooks, concurrency: Math.max(1, options.concurrency ?? 1), stopping: false };
  while (position.stream < streams.length) {
    const s = streams[position.stream];
    if (!s) break;
    position.frame ??= { cursor: null, done: false, pending: [] };
    await runFrame(s, null, position.frame, false, ctx);
    position.stream++;
    position.frame = null;
  }
}

async function boundary(ctx: RunContext, info: BoundaryInfo): Promise<void> {
  await ctx.hooks.boundary(info);
  if (ctx.stopping) throw new StopSignal();
}

/**
 * Run one stream's frame: its pages, and the child streams of every item, `concurrency` parent items at a
 * time. Workers take pending tasks in page order; a worker that finds no task left fetches the next page
 * while the others are still busy with the children of earlier pages. So one long child (a group with every
 * user: thousands of pages) no longer holds the next page back and idles the other workers (the per-page
 * barrier was the top cost in a profile of an L run). `frame.pending` stays bounded: the tasks running
 * (at most `concurrency`) plus at most one page not yet started, because a page is only fetched when no
 * task is waiting to start.
 */
async function runFrame(s: Stream, parent: Json, frame: Frame, isChild: boolean, ctx: RunContext): Promise<void> {
  const queue: Task[] = [...frame.pending];
  let pages: AsyncIterator<Page<unknown>> | null = null;
  let fetching: Promise<void> | null = null;
  let failure: { e: unknown } | undefined;
  const workers = new Set<Promise<void>>();

  const finish = (task: Task): void => {
    const i = frame.pending.indexOf(task);
    if (i >= 0) frame.pending.splice(i, 1);
  };

  const fetchNext = async (): Promise<void> => {
    const inc = s.incremental ? ctx.hooks.incremental : undefined;
    if (s.incremental && !inc) throw new Error(`stream ${s.name} is incremental: the engine needs its incremental hooks`);
    pages ??= paginate(ctx.client, s.style(parent, inc ? inc.window(s.name) : NO_WINDOW), frame.cursor)[Symbol.asyncIterator]();
    let next: IteratorResult<Page<unknown>>;
    try {
      next = await pages.next();
    } catch (e) {
      if (s.diagnose && e instanceof CollectorError) {
        const meaning = await s.diagnose(e, parent, ctx.client);
        if (meaning === 'vanished' && isChild) throw new Vanished(s.name);
        if (meaning instanceof Error) throw meaning;
      }
      if (e instanceof PermissionError && s.optional) {
        ctx.hooks.skipped({ stream: s.name, key: parent, reason: e.message });
        frame.done = true;
        // Fall back only when nothing was read yet: a refusal after the first page would double rows.
        if (s.fallback !== undefined && frame.cursor === null && s.children.length) {
          const task: Task = { key: s.fallback, child: 0, sub: null };
          frame.pending.push(task);
          queue.push(task);
          spawn();
        }
        return;
      }
      if (!(e instanceof NotFoundError) || s.notFound === 'fail') throw e;
      if (s.notFound === 'skip-parent' && isChild) throw new Vanished(s.name);
      // 'empty': nothing (more) matches; the stream's pages are complete.
      frame.done = true;
      return;
    }
    if (next.done) {
      frame.done = true;
      return;
    }
    const page = next.value;
    const rows: RowOut[] = [];
    const tasks: Task[] = [];
    let known = 0;
    for (const item of page.items) {
      if (s.incremental && inc) {
        const id = s.incremental.id(item);
        if (inc.stored(s.name, id)) {
          known++;
          continue;
        }
        inc.kept(s.name, id, s.incremental.time(item));
      }
      rows.push(...s.rows(item, parent));
      const k = s.childKey(item, parent);
      if (k !== undefined && s.children.length) tasks.push({ key: k, child: 0, sub: null });
    }
    ctx.hooks.emit(rows);
    frame.cursor = page.next;
    frame.done = page.next === null;
    frame.pending.push(...tasks);
    queue.push(...tasks);
    spawn();
    await boundary(ctx, { stream: s.name, items: page.items.length, dropped: page.dropped, known, rows: rows.length, ...(!isChild && page.total !== undefined ? { total: page.total } : {}) });
  };

  const work = async (): Promise<void> => {
    try {
      while (!failure) {
        const task = queue.shift();
        if (task) {
          try {
            await runTask(s, task, ctx);
          } catch (e) {
            if (!(e instanceof Vanished)) throw e;
            ctx.hooks.skipped({ stream: e.stream, key: task.key });
          }
          finish(task);
          continue;
        }
        if (frame.done) return;
        if (fetching) {
          await fetching;
          continue;
        }
        fetching = fetchNext().finally(() => {
          fetching = null;
        });
        await fetching;
      }
    } catch (e) {
      failure ??= { e };
      // A vanished parent ends only this frame; anything else (a failure, the invocation's stop) ends the
      // run, every worker at its next page boundary.
      if (!(e instanceof Vanished)) ctx.stopping = true;
    }
  };

  function spawn(): void {
    while (workers.size < ctx.concurrency && workers.size < Math.max(1, queue.length)) {
      const w: Promise<void> = work().finally(() => workers.delete(w));
      workers.add(w);
    }
  }

  if (frame.done && !queue.length) return;
  spawn();
  while (workers.size) await Promise.all([...workers]);
  if (failure) throw failure.e;
}

async function runTask(s: Stream, task: Task, ctx: RunContext): Promise<void> {
  while (task.child < s.children.length) {
    const child = s.children[task.child];
    if (child) {
      task.sub ??= { cursor: null, done: false, pending: [] };
      await runFrame(child, task.key, task.sub, true, ctx);
    }
    task.child++;
    task.sub = null;
  }
}
