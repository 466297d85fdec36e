import type { Progress } from '../shared/engine/collect.ts';

/**
 * Progress on stderr: one updating line on a terminal, a line every few seconds (and when a stream
 * changes) otherwise, so long runs in CI logs still show they are alive.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, everyMs = 2000) {
  let last = 0;
  const seen = new Set<string>();
  // Items read per stream of each unit (a child stream sums over its parents: group_members of every group).
  const items = new Map<string, number>();
  const tty = stream.isTTY === true;
  const n = (v: number) => v.toLocaleString('en-US');
  return {
    onProgress(p: Progress): void {
      const key = `${p.unit}\u0000${p.stream}`;
      items.set(key, (items.get(key) ?? 0) + p.items);
      const now = Date.now();
      const first = !seen.has(key);
      if (!first && now - last < (tty ? 100 : everyMs)) return;
      seen.add(key);
      last = now;
      const line =
        `${p.unit}  ${p.stream.padEnd(26)} ${n(items.get(key) ?? 0).padStart(9)} items` +
        `  │ unit: ${n(p.rows).padStart(9)} rows, ${n(p.pages).padStart(7)} pages, ${n(p.requests).padStart(7)} requests`;
      if (tty) stream.write(`\r\x1b[K${line}`);
      else stream.write(`${line}\n`);
    },
    done(): void {
      if (tty) stream.write('\n');
    },
  };
}
