import type { AnyTable } from './table.ts';

/** Markdown reference of output tables, generated from their zod schemas (the single source of truth). */
export function tablesMarkdown(groups: readonly { title: string; tables: readonly AnyTable[] }[]): string {
  const out: string[] = [
    '# Output tables',
    '',
    'Generated from the zod table schemas in `functions/*.tables.ts` by `npm run docs`; a test fails when this file is stale.',
    'Every table is gzip NDJSON under `<table>/dt=<YYYY-MM-DD>/org=<org>/`; key columns are in **bold**.',
    '',
  ];
  for (const g of groups) {
    out.push(`## ${g.title}`, '');
    for (const t of g.tables) {
      out.push(`### \`${t.name}\``, '', t.description, '', '| column | type | null | description |', '|---|---|---|---|');
      for (const c of t.columns) {
        const name = t.key.includes(c.name) ? `**${c.name}**` : c.name;
        out.push(`| ${name} | ${c.type} | ${c.nullable ? 'yes' : ''} | ${(c.description ?? '').replace(/\|/g, '\\|')} |`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}
