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

/** Position inside one stream: next page, parent items whose children are still to run, child in progress. */
export const FrameSchema = z.object({
  /** Cursor of the next page; `done: true` once the stream's pages are exhausted. */
  cursor: z.json(),
  done: z.boolean(),
  /** Keys of items of the last page whose children have not all run yet, first one in progress. */
  pending: z.array(z.json()),
  /** Index of the child stream in progress for `pending[0]`. */
  child: z.int().min(0),
});
export type Frame = z.infer<typeof FrameSchema>;

/** Mutable engine position: consistent (resumable) at every page boundary. */
export interface Position {
  stream: number;
  frames: Frame[];
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

/**
 * Run `streams` from `position`, mutating it as pages complete. Returns when all streams are done;
 * a {@link StopSignal} thrown by `hooks.boundary` propagates with `position` resumable.
 */
export async function runStreams(client: HttpClient, streams: readonly Stream[], position: Position, hooks: EngineHooks): Promise<void> {
  while (position.stream < streams.length) {
    const s = streams[position.stream];
    if (!s) break;
    await runOne(client, s, null, 0, position, hooks);
    position.stream++;
    position.frames = [];
  }
}

async function runOne(client: HttpClient, s: Stream, parent: Json, depth: number, pos: Position, hooks: EngineHooks): Promise<void> {
  let frame = pos.frames[depth];
  if (!frame) {
    frame = { cursor: null, done: false, pending: [], child: 0 };
    pos.frames[depth] = frame;
  }
  await drain(client, s, depth, pos, hooks);
  if (frame.done) return;
  try {
    for await (const page of paginate(client, s.style(parent), frame.cursor as Cursor)) {
      const rows: RowOut[] = [];
      const keys: Json[] = [];
      for (const item of page.items) {
        rows.push(...s.rows(item, parent));
        const k = s.childKey(item, parent);
        if (k !== undefined && s.children.length) keys.push(k);
      }
      hooks.emit(rows);
      frame.cursor = page.next;
      frame.done = page.next === null;
      frame.pending = keys;
      frame.child = 0;
      await hooks.boundary({ stream: s.name, items: page.items.length });
      await drain(client, s, depth, pos, hooks);
    }
  } catch (e) {
    if (!(e instanceof NotFoundError) || s.notFound === 'fail') throw e;
    if (s.notFound === 'skip-parent' && depth > 0) throw new Vanished(s.name);
    // 'empty': nothing matches; the stream is complete.
    frame.done = true;
    frame.pending = [];
  }
}

async function drain(client: HttpClient, s: Stream, depth: number, pos: Position, hooks: EngineHooks): Promise<void> {
  const frame = pos.frames[depth];
  if (!frame) return;
  while (frame.pending.length) {
    const key = frame.pending[0] as Json;
    try {
      while (frame.child < s.children.length) {
        const child = s.children[frame.child];
        if (child) await runOne(client, child, key, depth + 1, pos, hooks);
        pos.frames.length = depth + 1;
        frame.child++;
      }
    } catch (e) {
      if (!(e instanceof Vanished)) throw e;
      pos.frames.length = depth + 1;
      hooks.skipped({ stream: e.stream, key });
    }
    frame.pending.shift();
    frame.child = 0;
  }
}
