import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** cfn-lint's errors (not warnings) on a synthesized template, as `<rule>: <message>` lines. */
export async function cfnLintErrors(template: unknown): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'cfn-lint-'));
  try {
    const file = join(dir, 'template.json');
    await writeFile(file, JSON.stringify(template));
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)('cfn-lint', ['--format', 'json', '--', file], { maxBuffer: 16 * 1024 * 1024 }));
    } catch (e) {
      // cfn-lint exits non-zero when it reports anything, warnings included (exit 4); errors set bit 2.
      const err = e as { code?: number | string; stdout?: string };
      if (err.code === 'ENOENT') throw new Error('cfn-lint is not installed (pip install cfn-lint)');
      stdout = err.stdout ?? '[]';
    }
    const findings = JSON.parse(stdout || '[]') as { Level: string; Rule: { Id: string }; Message: string }[];
    return findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id}: ${f.Message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
