import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll } from 'vitest';

/** A maker of fresh temporary folders (`<prefix>-XXXXXX`), all removed after the test file. Call at file level. */
export function tempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const d = await mkdtemp(join(tmpdir(), `${prefix}-`));
    dirs.push(d);
    return d;
  };
}

/** Every file under `dir`, gunzipped when gzip, as text (to check that no secret is in any of them). */
export async function allText(dir: string): Promise<string> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d)) {
      const p = join(d, e);
      if ((await stat(p)).isDirectory()) await walk(p);
      else {
        const b = await readFile(p);
        out.push(b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b).toString('utf8') : b.toString('utf8'));
      }
    }
  };
  await walk(dir);
  return out.join('\n');
}

/** Run `fn` with everything written to stderr captured instead of shown (log lines, to check for secrets). */
export async function captureStderr<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, stderr: lines.join('') };
  } finally {
    process.stderr.write = write;
  }
}
