import { writeFile } from 'node:fs/promises';
import { productModules } from '../../functions/index.ts';
import { tablesMarkdown } from '../schema/docs.ts';

/** The table reference, as `npm run docs` writes it to docs/tables.md. */
export function tableReference(): string {
  const titles = { jira: 'Jira Cloud', confluence: 'Confluence Cloud', bitbucket: 'Bitbucket Cloud', admin: 'Organization directory (Admin API)' } as const;
  return tablesMarkdown(Object.entries(productModules).map(([p, m]) => ({ title: titles[p as keyof typeof titles], tables: m.tables })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile('docs/tables.md', tableReference());
  process.stdout.write('wrote docs/tables.md\n');
}
