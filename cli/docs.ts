import { writeFile } from 'node:fs/promises';
import { MODULES } from '../functions/index.ts';
import { collectorUnits } from '../shared/engine/units-table.ts';
import { tablesMarkdown } from '../shared/schema/docs.ts';

/** The table reference, as `npm run docs` writes it to docs/tables.md. */
export function tableReference(): string {
  // Data Center writes the Cloud tables (with deployment = 'data-center'): list each table once.
  const seen = new Set<string>();
  const products = MODULES.flatMap((m) => {
    const tables = m.tables.filter((t) => !seen.has(t.name));
    for (const t of tables) seen.add(t.name);
    return tables.length ? [{ title: m.title, tables }] : [];
  });
  return tablesMarkdown([...products, { title: 'Every unit (the collector itself)', tables: [collectorUnits] }]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile('docs/tables.md', tableReference());
  process.stdout.write('wrote docs/tables.md\n');
}
