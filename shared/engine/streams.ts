import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import type { HttpClient } from '../http/client.ts';
import type { RowInput, TableDef } from '../schema/table.ts';
import { paginate, type Cursor, type Json, type PageStyle } from './paginate.ts';

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

/**
 * A stream: one paginated endpoint, the rows each item yields, and child streams run for each item
 * with a small JSON key (e.g. the group id). Build with {@link defineStream}.
 */
export interface Stream {
  readonly name: string;
  readonly style: (parent: Json) => PageStyle<unknown>;
  readonly rows: (item: unknown, parent: Json) => RowOut[];
  readonly childKey: (item: unknown, parent: Json) => Json | undefined;
  readonly children: readonly Stream[];
  readonly notFound: NotFoundPolicy;
}

/**
 * Define a stream. `P` is the key its parent hands it (`null` for top-level streams), `T` its item type,
 * `C` the key it hands its children.
 */
export function defineStream<P extends Json, T, C extends Json = null>(def: {
  name: string;
  style: (parent: P) => PageStyle<T>;
  rows?: (item: T, parent: P) => RowOut[];
  childKey?: (item: T, parent: P) => C | undefined;
  children?: readonly Stream[];
  notFound?: NotFoundPolicy;
}): Stream {
  // The engine hands each stream exactly the key its parent's childKey produced (or null at the top);
  // the casts below only erase the generic types for storage in one heterogeneous tree.
  return {
    name: def.name,
    style: def.style as (parent: Json) => PageStyle<unknown>,
    rows: (def.rows ?? (() => [])) as (item: unknown, parent: Json) => RowOut[],
    childKey: (def.childKey ?? (() => undefined)) as (item: unknown, parent: Json) => Json | undefined,
    children: def.children ?? [],
    notFound: def.notFound ?? 'fail',
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

/** Callbacks of one engine run. */
export interface EngineHooks {
  /** Called with each page's rows; rows must be buffered before `boundary` runs. */
  emit(rows: readonly RowOut[]): void;
  /** Called after each page, once the position is consistent. Throw {@link StopSignal} to stop here. */
  boundary(info: { stream: string; items: number }): Promise<void>;
  /** A parent vanished (404 on its child endpoint). */
  skipped(info: { stream: string; key: Json }): void;
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

async function boundary(ctx: RunContext, info: { stream: string; items: number }): Promise<void> {
  await ctx.hooks.boundary(info);
  if (ctx.stopping) throw new StopSignal();
}

async function runFrame(s: Stream, parent: Json, frame: Frame, isChild: boolean, ctx: RunContext): Promise<void> {
  await drain(s, frame, ctx);
  if (frame.done) return;
  try {
    for await (const page of paginate(ctx.client, s.style(parent), frame.cursor)) {
      const rows: RowOut[] = [];
      const tasks: Task[] = [];
      for (const item of page.items) {
        rows.push(...s.rows(item, parent));
        const k = s.childKey(item, parent);
        if (k !== undefined && s.children.length) tasks.push({ key: k, child: 0, sub: null });
      }
      ctx.hooks.emit(rows);
      frame.cursor = page.next;
      frame.done = page.next === null;
      frame.pending = tasks;
      await boundary(ctx, { stream: s.name, items: page.items.length });
      await drain(s, frame, ctx);
    }
  } catch (e) {
    if (!(e instanceof NotFoundError) || s.notFound === 'fail') throw e;
    if (s.notFound === 'skip-parent' && isChild) throw new Vanished(s.name);
    // 'empty': nothing matches; the stream is complete.
    frame.done = true;
    frame.pending = [];
  }
}

/** Run the children of every pending task, `concurrency` tasks at a time; a finished task leaves `pending`. */
async function drain(s: Stream, frame: Frame, ctx: RunContext): Promise<void> {
  if (!frame.pending.length) return;
  const queue = [...frame.pending];
  let failure: { e: unknown } | undefined;
  const done = (task: Task) => {
    const i = frame.pending.indexOf(task);
    if (i >= 0) frame.pending.splice(i, 1);
  };
  const worker = async (): Promise<void> => {
    for (let task = queue.shift(); task && !failure; task = queue.shift()) {
      try {
        await runTask(s, task, ctx);
        done(task);
      } catch (e) {
        if (e instanceof Vanished) {
          ctx.hooks.skipped({ stream: e.stream, key: task.key });
          done(task);
          continue;
        }
        failure ??= { e };
        ctx.stopping = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, queue.length) }, worker));
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
