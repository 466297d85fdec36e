/**
 * Query parameter readers and the result test every simulated product shares (Jira, Confluence and the add-on
 * listings read `startAt`/`start`, `maxResults`/`limit`, booleans and repeatable lists the same way), and the
 * clamp of the tenants' numeric options.
 */
import type { RouteResult } from './server.ts';

/** Non-negative integer query parameter: `def` when absent or blank, `null` when malformed. */
export function intParam(q: URLSearchParams, name: string, def: number): number | null {
  const raw = q.get(name);
  if (raw === null || raw.trim() === '') return def;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** Boolean query parameter: `true` (any case) is true, anything else false, `def` when absent. */
export function boolParam(q: URLSearchParams, name: string, def: boolean): boolean {
  const raw = q.get(name);
  if (raw === null) return def;
  return raw.toLowerCase() === 'true';
}

/** All values of a repeatable parameter, also accepting comma-separated lists. */
export function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Whether a lookup or a paging reading gave an answer (an error to send) rather than its value. */
export function isResult<T extends object>(x: T | RouteResult): x is RouteResult {
  return 'body' in x && 'status' in x;
}

/** A numeric tenant option: `def` when absent or not finite, else its floor, at least `min`. */
export function clampInt(v: number | undefined, def: number, min: number): number {
  if (v === undefined || !Number.isFinite(v)) return def;
  return Math.max(min, Math.floor(v));
}
