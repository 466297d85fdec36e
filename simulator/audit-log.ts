/**
 * The append-only audit log every simulated tenant keeps (simulator/jira-audit.ts, confluence-audit.ts,
 * admin-events.ts): events with an id and a time, appended when the simulated organization changes (who did it,
 * when) and as unrelated background activity. The routes page over the events of a time range, newest first,
 * as the three published APIs do.
 */
import { hash32 } from './random.ts';

export interface AuditEvent<P> {
  /** Unique in the log. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly payload: P;
}

export class AuditLog<P> {
  private readonly list: AuditEvent<P>[] = [];
  private n = 0;
  /** The endpoint answers 403 (a plan without audit log, or a key without the scope). */
  forbidden = false;

  constructor(
    private readonly seed: number,
    private readonly idOf: (seed: number, n: number) => string,
  ) {}

  /** Append an event at `at` (epoch ms); returns it. */
  append(at: number, payload: P): AuditEvent<P> {
    const e: AuditEvent<P> = { id: this.idOf(this.seed, this.n++), at, payload };
    this.list.push(e);
    return e;
  }

  /** Events with `from <= at <= to`, newest first (ties: the later appended first). */
  range(from: number, to: number): AuditEvent<P>[] {
    return this.list
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.at >= from && e.at <= to)
      .sort((a, b) => b.e.at - a.e.at || b.i - a.i)
      .map(({ e }) => e);
  }

  all(): readonly AuditEvent<P>[] {
    return this.list;
  }
}

/** A deterministic spread of `count` background times between `from` and `to` (epoch ms). */
export function spreadTimes(seed: number, label: string, count: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(from + Math.floor(((hash32(seed, `${label}:${i}`) >>> 0) / 0x1_0000_0000) * (to - from)));
  return out.sort((a, b) => a - b);
}

/** `from`/`to` as epoch milliseconds (Admin, Confluence) or an ISO-8601 date-time (Jira); null when absent, NaN when unreadable. */
export function timeParam(q: URLSearchParams, name: string): number | null {
  const raw = q.get(name);
  if (raw === null || raw.trim() === '') return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  return Date.parse(raw.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
