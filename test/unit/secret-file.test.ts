import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.ts';
import { credentialsFromFile } from '../../shared/secrets.ts';

const TOKEN = 'ATATT3xFfGF0QwErTyUiOpAsDfGhJkL';
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Every 4-character slice of the token: none may appear in a message. */
const fragments = Array.from({ length: TOKEN.length - 3 }, (_, i) => TOKEN.slice(i, i + 4));

describe('a malformed secret file', () => {
  it.each([
    ['unterminated string', `{"email": "a@example.com", "apiToken": "${TOKEN}`],
    ['trailing comma', `{"email": "a@example.com", "apiToken": "${TOKEN}",}`],
    ['single quotes', `{'email': 'a@example.com', 'apiToken': '${TOKEN}'}`],
    ['a bare token', TOKEN],
    ['a stray character after the token', `{"email": "a@example.com", "apiToken": "${TOKEN}"x}`],
  ])('(%s) fails with a ConfigError that quotes no part of the token', async (_name, text) => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'secret-file-'));
    dirs.push(dir);
    const file = join(dir, 'secret.json');
    await writeFile(file, text);
    // Act
    const err = await credentialsFromFile(file).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain(file);
    for (const f of fragments) expect(message).not.toContain(f);
  });
});
