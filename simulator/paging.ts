/**
 * The one mechanism behind the simulators' offset lists, including the documented ambiguity of short pages.
 *
 * Atlassian documents that a page "may be less" than `maxResults` (Jira Cloud platform REST API v3, "Pagination":
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/#pagination) but not what `startAt` counts when
 * a page is short in the middle of a list. Two readings exist, and real servers show both:
 *
 * - `positions`: the server windows positions `[start, start + limit)` of an underlying list that also holds rows
 *   this caller may not see, removes those, and returns fewer rows; the next page starts at `start + limit`.
 *   Confluence Data Center does this (CONFSERVER-36578: `start` does not index the rows a permission-filtered page
 *   returns; CONFSERVER-95396: `next` is `start + limit` whatever `size` says). A client that advances by the rows
 *   received reads some rows again.
 * - `returned`: `start` indexes the visible rows, yet a page may still come back as a shorter prefix mid-list; the
 *   next page starts at `start + received`. A client that advances by `limit` skips rows.
 *
 * Everything is deterministic: hidden positions depend on (seed, list, row), short prefixes on (seed, list, start,
 * limit), so a retried request gets the same page and a resumed run sees the same list.
 */
import { unit } from './random.ts';
import type { RouteContext } from './server.ts';

export type ShortPageReading = 'positions' | 'returned';

export interface ShortPagesOption {
  reading: ShortPageReading;
  /**
   * `positions`: probability that a hidden row sits between two neighbouring visible rows (at most one does).
   * `returned`: probability that a page with rows after it comes back as a shorter, non-empty prefix.
   * @default 0.25
   */
  rate?: number;
}

export const DEFAULT_SHORT_PAGE_RATE = 0.25;

/** One page of a list, as the server answers it. */
export interface ListPage<T> {
  /** The visible rows of this page. */
  items: T[];
  /** Rows remain after this page (drives `isLast`, `isLastPage`, `_links.next`). */
  more: boolean;
  /** The start the server itself puts in a `next` link: `start + limit` when counting positions. */
  nextStart: number;
  /** The 'shortPage' fault (tail truncation, {@link RouteContext.page}) shortened this page. */
  faulted: boolean;
}

/** The rows of `[start, start + limit)` as visible-row indexes `[from, to)`, and where the server goes next. */
interface Window {
  from: number;
  to: number;
  nextStart: number;
  more: boolean;
}

export interface Pager {
  /** Positions the server pages over for a list of `visible` rows: the visible rows plus the hidden ones. */
  positions(list: string, visible: number): number;
  /**
   * The page at `start` of `all` (the visible rows of the list named `list`) with the applied `limit`. The
   * 'shortPage' fault of `ctx.page` composes with the reading: it truncates the tail of what the reading returns,
   * and the page then continues right after its last row.
   */
  page<T>(ctx: Pick<RouteContext, 'page'>, list: string, all: ArrayLike<T>, start: number, limit: number): ListPage<T>;
  /** {@link Pager.page} of a list held as `count` rows that `row(i)` materialises (large generated lists). */
  pageOf<T>(ctx: Pick<RouteContext, 'page'>, list: string, count: number, row: (i: number) => T, start: number, limit: number): ListPage<T>;
  /** Requests a client that follows the server's own next start needs for this list, with no faults (at least 1). */
  pages(list: string, visible: number, limit: number): number;
}

const pagers = new Map<string, Pager>();

/**
 * The pager for `seed` and `option`. Without `option`, pages are exactly `[start, start + limit)` of the visible
 * rows; with it, lists of at least two rows get short pages mid-list in the given reading. Pages depend only on
 * (seed, option, list name, rows), so one pager per (seed, option) is shared, and the position index of each list
 * is built once.
 */
export function pager(seed: number, option?: ShortPagesOption): Pager {
  const key = option === undefined ? `${seed}` : `${seed}|${option.reading}|${option.rate ?? DEFAULT_SHORT_PAGE_RATE}`;
  const known = pagers.get(key);
  if (known) return known;
  const made = makePager(seed, option);
  pagers.set(key, made);
  return made;
}

/** Position indexes kept per pager; beyond this many lists the oldest are rebuilt when asked again. */
const MAX_INDEXED_LISTS = 512;

function makePager(seed: number, option: ShortPagesOption | undefined): Pager {
  const rate = option === undefined ? 0 : Math.max(0, Math.min(1, option.rate ?? DEFAULT_SHORT_PAGE_RATE));
  const reading = option?.reading;
  /** Per list: position of visible row i, or null when no row is hidden (position = index). */
  const index = new Map<string, Int32Array | null>();

  const positionsOf = (list: string, n: number): Int32Array | null => {
    if (reading !== 'positions' || rate === 0 || n < 2) return null;
    const cacheKey = `${list}\u0000${n}`;
    const cached = index.get(cacheKey);
    if (cached !== undefined) return cached;
    // A hidden slot may follow visible row i only when another visible row comes after it (i < n - 1): never two
    // hidden slots in a row, none at the ends, so any window of two or more positions inside the list holds a row.
    const pos = new Int32Array(n);
    let hidden = 0;
    for (let i = 0; i < n; i++) {
      pos[i] = i + hidden;
      if (i < n - 1 && unit(seed, 'hidden-row', list, i) < rate) hidden++;
    }
    const out = hidden === 0 ? null : pos;
    if (index.size >= MAX_INDEXED_LISTS) index.delete(index.keys().next().value ?? '');
    index.set(cacheKey, out);
    return out;
  };

  const positions = (list: string, n: number): number => {
    const pos = positionsOf(list, n);
    return pos === null ? n : (pos[n - 1] ?? -1) + 1;
  };

  /** First visible row whose position is at least `p`. */
  const lowerBound = (pos: Int32Array, p: number): number => {
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((pos[mid] ?? 0) < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const window = (list: string, n: number, start: number, limit: number): Window => {
    if (reading === 'positions') {
      const pos = positionsOf(list, n);
      const total = pos === null ? n : (pos[n - 1] ?? -1) + 1;
      const end = start + limit;
      const from = pos === null ? Math.min(start, n) : lowerBound(pos, start);
      const to = pos === null ? Math.min(end, n) : lowerBound(pos, end);
      return { from, to, nextStart: end, more: end < total };
    }
    const from = Math.min(start, n);
    let to = Math.min(start + limit, n);
    if (reading === 'returned' && to - from >= 2 && unit(seed, 'short-prefix', list, start, limit) < rate) {
      to = from + 1 + Math.floor(unit(seed, 'prefix-length', list, start, limit) * (to - from - 1));
    }
    return { from, to, nextStart: start + (to - from), more: to < n };
  };

  const pageOf = <T>(ctx: Pick<RouteContext, 'page'>, list: string, count: number, row: (i: number) => T, start: number, limit: number): ListPage<T> => {
    const w = window(list, count, start, limit);
    const rows: T[] = [];
    for (let i = w.from; i < w.to; i++) rows.push(row(i));
    const { items, short } = ctx.page(rows);
    if (!short) return { items, more: w.more, nextStart: w.nextStart, faulted: false };
    // Truncated by the fault: continue right after the last row returned, in the reading's own units.
    const last = w.from + items.length - 1;
    const pos = reading === 'positions' ? positionsOf(list, count) : null;
    const nextStart = reading === 'positions' ? (pos === null ? last : (pos[last] ?? last)) + 1 : start + items.length;
    return { items, more: true, nextStart, faulted: true };
  };

  return {
    positions,
    pageOf,
    page: (ctx, list, all, start, limit) => pageOf(ctx, list, all.length, (i) => all[i] as (typeof all)[number], start, limit),
    pages(list: string, visible: number, limit: number): number {
      if (limit <= 0) return 1;
      let requests = 1;
      let w = window(list, visible, 0, limit);
      while (w.more) {
        requests++;
        w = window(list, visible, w.nextStart, limit);
      }
      return requests;
    },
  };
}
