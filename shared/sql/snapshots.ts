import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Snapshot dates present in an output folder (any table's `dt=` partitions), ascending. */
export async function snapshotDates(root: string): Promise<string[]> {
  const dates = new Set<string>();
  let tables: string[];
  try {
    tables = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('_')).map((d) => d.name);
  } catch {
    return [];
  }
  for (const t of tables) {
    for (const d of await readdir(join(root, t)).catch(() => [] as string[])) {
      const m = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(d);
      if (m?.[1]) dates.add(m[1]);
    }
  }
  return [...dates].sort();
}

/** The latest date, and the one before it (for "changes since the previous snapshot"). */
export function latestAndPrevious(dates: readonly string[], at?: string): { date: string | undefined; previous: string | undefined } {
  const upTo = at ? dates.filter((d) => d <= at) : [...dates];
  const date = at && !dates.includes(at) ? undefined : upTo[upTo.length - 1];
  const previous = date ? upTo.filter((d) => d < date).pop() : undefined;
  return { date, previous };
}
