import type { Progress } from '../shared/engine/collect.ts';

/** Thousands separators, as everywhere the commands print counts. */
export const count = (v: number): string => v.toLocaleString('en-US');

/** What one stream of one unit has read so far. */
interface StreamProgress {
  rows: number;
  items: number;
  /** The list's total, when the endpoint said (top-level streams). */
  total?: number;
}

/**
 * One progress line: the stream's own rows, and where the endpoint tells the list's total (Jira PageBean
 * `total`), how far through it the stream is; then the unit's totals.
 *   acme/jira/acme.atlassian.net  users       12,000 rows  │ unit: 12,500 rows, 130 pages, 131 requests
 *   acme/jira/acme.atlassian.net  projects       800 rows   40 % of 2,000  │ unit: …
 */
export function progressLine(p: Progress, s: StreamProgress): string {
  const pct = s.total !== undefined && s.total > 0 ? `${String(Math.min(100, Math.floor((s.items / s.total) * 100))).padStart(3)} % of ${count(s.total)}` : '';
  return (
    `${p.unit}  ${p.stream.padEnd(26)} ${count(s.rows).padStart(9)} rows${pct ? `  ${pct}` : ''}` +
    `  │ unit: ${count(p.rows)} rows, ${count(p.pages)} pages, ${count(p.requests)} requests`
  );
}

/**
 * Progress on stderr: one updating line on a terminal, a line every few seconds (and at a stream's first
 * page) otherwise, so long runs in CI logs still show they are alive.
 */
export function progressReporter(stream: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean } = process.stderr, everyMs = 2000, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY;
  const seen = new Set<string>();
  // Per stream of each unit (a child stream sums over its parents: group_members of every group).
  const streams = new Map<string, StreamProgress>();
  const tty = stream.isTTY === true;
  return {
    onProgress(p: Progress): void {
      const key = `${p.unit}\u0000${p.stream}`;
      const s = streams.get(key) ?? { rows: 0, items: 0 };
      s.rows += p.streamRows;
      s.items += p.items;
      if (p.total !== undefined) s.total = p.total;
      streams.set(key, s);
      const t = now();
      // A stream's first page always shows; then at most a line per interval (parent and child streams
      // alternate page by page, so a line per change of stream would be a line per page).
      if (seen.has(key) && t - last < (tty ? 100 : everyMs)) return;
      seen.add(key);
      last = t;
      const line = progressLine(p, s);
      if (tty) stream.write(`\r\x1b[K${line}`);
      else stream.write(`${line}\n`);
    },
    done(): void {
      if (tty) stream.write('\n');
    },
  };
}
