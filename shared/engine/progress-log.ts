import type { Logger } from '../redact.ts';
import type { Progress } from './collect.ts';

/**
 * A progress callback for runs nobody watches (the collect Lambda): a `progress` log line at the first page
 * boundary and then at most one every `everyMs`, so a 15-minute invocation shows where it is in CloudWatch
 * without a line per page. (Parent and child streams alternate page by page, so a line per stream change
 * would be a line per page.)
 */
export function progressLogger(log: Logger, everyMs = 60_000, now: () => number = Date.now): (p: Progress) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  return (p) => {
    const t = now();
    if (t - lastAt < everyMs) return;
    lastAt = t;
    log.info('progress', { unit: p.unit, stream: p.stream, pages: p.pages, rows: p.rows, requests: p.requests, ...(p.total !== undefined ? { streamTotal: p.total } : {}) });
  };
}
