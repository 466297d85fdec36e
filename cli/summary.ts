import type { UnitOutcome } from '../shared/local/runner.ts';
import { unitId } from '../shared/config.ts';

/** Human summary of local unit runs: rows per table, invocations, requests, retries, elapsed. */
export function formatSummary(outcomes: readonly UnitOutcome[], extra: { minimumRequests?: number } = {}): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    lines.push(`${o.ok ? 'OK    ' : 'FAILED'} ${unitId(o.unit)}  (${(o.elapsedMs / 1000).toFixed(1)} s, ${o.invocations} invocation${o.invocations === 1 ? '' : 's'})`);
    if (o.stats) {
      const width = Math.max(...Object.keys(o.stats.rows).map((k) => k.length), 10);
      for (const [table, n] of Object.entries(o.stats.rows).sort()) lines.push(`    ${table.padEnd(width)} ${String(n).padStart(10)} rows`);
      const s = o.stats;
      const min = extra.minimumRequests;
      lines.push(
        `    requests ${s.requests}${min ? ` (minimum at maximum page sizes: ${min}, ratio ${(s.requests / min).toFixed(3)})` : ''}, retries ${s.retries}, pages ${s.pages}, vanished parents skipped ${s.skipped}, repeated rows dropped ${s.repeatsDropped}`,
      );
    }
    // The message itself goes to stderr once, with what to do (runCollect); here only what failed.
    if (o.error) lines.push(`    failed with ${o.error.name} (message on stderr)`);
  }
  return lines.join('\n');
}
