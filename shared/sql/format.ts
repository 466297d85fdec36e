import type { QueryResult, SqlValue } from './duckdb.ts';

export type OutputFormat = 'table' | 'csv' | 'json';

function text(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return `[${v.map(text).join(', ')}]`;
  return String(v);
}

/** Terminal cell width of a string: wide (CJK, emoji) characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    const wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function clip(s: string, max: number): string {
  const flat = s.replace(/[\r\n\t]+/g, ' ');
  if (displayWidth(flat) <= max) return flat;
  let out = '';
  for (const ch of flat) {
    if (displayWidth(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

const pad = (s: string, width: number, right: boolean): string => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
};

/** An aligned text table: header, rule, one line per row; numbers right-aligned, long cells clipped. */
export function formatTable(r: QueryResult, opts: { maxWidth?: number } = {}): string {
  const max = opts.maxWidth ?? 60;
  const cells = r.rows.map((row) => r.columns.map((c) => clip(text(row[c] ?? null), max)));
  const numeric = r.columns.map((c) => r.rows.length > 0 && r.rows.every((row) => typeof row[c] === 'number' || row[c] === null));
  const widths = r.columns.map((c, i) => Math.max(displayWidth(c), ...cells.map((line) => displayWidth(line[i] ?? ''))));
  const line = (vals: string[]) => vals.map((v, i) => pad(v, widths[i] ?? 0, numeric[i] ?? false)).join(' │ ').trimEnd();
  return [line([...r.columns]), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...cells.map(line)].join('\n');
}

function csvCell(v: SqlValue): string {
  if (v === null) return '';
  const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header line; NULL is an empty field, arrays are JSON. */
export function formatCsv(r: QueryResult): string {
  return [r.columns.map((c) => csvCell(c)).join(','), ...r.rows.map((row) => r.columns.map((c) => csvCell(row[c] ?? null)).join(','))].join('\r\n');
}

export function formatJson(r: QueryResult): string {
  return JSON.stringify(r.rows, null, 2);
}

export function formatResult(r: QueryResult, format: OutputFormat, opts: { maxWidth?: number } = {}): string {
  return format === 'csv' ? formatCsv(r) : format === 'json' ? formatJson(r) : formatTable(r, opts);
}
