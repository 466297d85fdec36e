import type { UnitOutcome } from '../shared/local/runner.ts';
import { unitId } from '../shared/config.ts';

const count = (v: number): string => v.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;

/** The minimum requests at maximum page sizes, per unit id, when known (the demo's simulated tenants know it). */
export type MinimumRequests = ReadonlyMap<string, number>;

/**
 * The one summary table at the end of `npm run collect` and `npm run demo`: a row per unit (status, rows written,
 * invocations, requests, retries, 429 answers, repeated rows dropped, duration), then the totals; counts with
 * thousands separators, numbers right-aligned. With `minimumRequests`, a column says how far the requests are
 * from the minimum possible at maximum page sizes.
 */
export function formatSummary(outcomes: readonly UnitOutcome[], extra: { minimumRequests?: MinimumRequests } = {}): string {
  const min = extra.minimumRequests;
  const head = ['unit', 'status', 'rows', 'invocations', 'requests', ...(min ? ['of minimum'] : []), 'retries', '429s', 'repeats dropped', 'duration'];
  const right = new Set(head.slice(2));
  const total = { rows: 0, invocations: 0, requests: 0, minimum: 0, retries: 0, throttled: 0, repeats: 0, ms: 0 };
  const body = outcomes.map((o) => {
    const s = o.stats;
    const rows = s ? Object.values(s.rows).reduce((a, b) => a + b, 0) : 0;
    const m = min?.get(unitId(o.unit));
    total.rows += rows;
    total.invocations += o.invocations;
    total.requests += s?.requests ?? 0;
    total.minimum += m ?? 0;
    total.retries += s?.retries ?? 0;
    total.throttled += s?.throttled ?? 0;
    total.repeats += s?.repeatsDropped ?? 0;
    total.ms += o.elapsedMs;
    return [
      unitId(o.unit),
      o.ok ? 'ok' : `FAILED (${o.error?.name ?? 'error'})`,
      s ? count(rows) : '',
      count(o.invocations),
      s ? count(s.requests) : '',
      ...(min ? [s && m ? `×${(s.requests / m).toFixed(3)}` : ''] : []),
      s ? count(s.retries) : '',
      s ? count(s.throttled) : '',
      s ? count(s.repeatsDropped) : '',
      seconds(o.elapsedMs),
    ];
  });
  const foot =
    outcomes.length > 1
      ? [[
          `total (${count(outcomes.length)} units)`,
          `${count(outcomes.filter((o) => o.ok).length)} ok`,
          count(total.rows),
          count(total.invocations),
          count(total.requests),
          ...(min ? [total.minimum ? `×${(total.requests / total.minimum).toFixed(3)}` : ''] : []),
          count(total.retries),
          count(total.throttled),
          count(total.repeats),
          seconds(total.ms),
        ]]
      : [];
  const widths = head.map((h, i) => Math.max(h.length, ...[...body, ...foot].map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (right.has(head[i] ?? '') ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = ['', line(head), rule, ...body.map(line)];
  if (foot.length) out.push(rule, ...foot.map(line));
  // The message of a failure goes to stderr once, with what to do (runCollect); here only what failed.
  return out.join('\n');
}
