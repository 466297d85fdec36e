import { writeFile } from 'node:fs/promises';
import { productModules } from '../functions/index.ts';
import { PRODUCTS, type Product } from '../shared/config.ts';
import { collectorUnits } from '../shared/engine/units-table.ts';
import { tablesMarkdown } from '../shared/schema/docs.ts';

/** The table reference, as `npm run docs` writes it to docs/tables.md. */
export function tableReference(): string {
  const titles: Record<Product, string> = {
    jira: 'Jira Cloud',
    confluence: 'Confluence Cloud',
    bitbucket: 'Bitbucket Cloud',
    admin: 'Organization directory (Admin API)',
    jsm: 'Jira Service Management',
    assets: 'Assets (JSM CMDB)',
    opsgenie: 'Opsgenie',
    'jsm-ops': 'Jira Service Management operations',
    trello: 'Trello',
    'jira-dc': 'Jira Data Center',
    'confluence-dc': 'Confluence Data Center',
  };
  // Data Center writes the Cloud tables (with deployment = 'data-center'): list each table once.
  const seen = new Set<string>();
  const products = PRODUCTS.flatMap((p) => {
    const tables = (productModules[p]?.tables ?? []).filter((t) => !seen.has(t.name));
    for (const t of tables) seen.add(t.name);
    return tables.length ? [{ title: titles[p], tables }] : [];
  });
  return tablesMarkdown([...products, { title: 'Every unit (the collector itself)', tables: [collectorUnits] }]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile('docs/tables.md', tableReference());
  process.stdout.write('wrote docs/tables.md\n');
}
