import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tableReference } from '../../cli/docs.ts';

describe('table reference', () => {
  it('docs/tables.md is what the zod schemas generate (run npm run docs after changing a table)', async () => {
    expect(await readFile('docs/tables.md', 'utf8')).toBe(tableReference());
  });
});
