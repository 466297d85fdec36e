import type { Progress } from '../engine/collect.ts';

/**
 * Progress on stderr: one updating line on a terminal, a line every few seconds (and when a stream
 * changes) otherwise, so long runs in CI logs still show they are alive.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, everyMs = 2000) {
  let last = 0;
  const seen = new Set<string>();
  const tty = stream.isTTY === true;
  return {
    onProgress(p: Progress): void {
      const now = Date.now();
      const first = !seen.has(p.stream);
      if (!first && now - last < (tty ? 100 : everyMs)) return;
      seen.add(p.stream);
      last = now;
      const line = `${p.unit}  ${p.stream.padEnd(26)} pages ${String(p.pages).padStart(6)}  rows ${String(p.rows).padStart(9)}  requests ${String(p.requests).padStart(6)}`;
      if (tty) stream.write(`\r\x1b[K${line}`);
      else stream.write(`${line}\n`);
    },
    done(): void {
      if (tty) stream.write('\n');
    },
  };
}
