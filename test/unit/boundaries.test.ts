import { execFile } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(REPO, 'test', 'fixtures', 'boundaries');
const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');

const Report = z.object({
  summary: z.object({ violations: z.array(z.object({ from: z.string(), to: z.string(), rule: z.object({ name: z.string() }) })) }),
});

/** Run the project's dependency rules (.dependency-cruiser.cjs) over a tree, as `npm run lint:deps` does. */
async function violations(cwd: string): Promise<string[]> {
  const config = relative(cwd, join(REPO, '.dependency-cruiser.cjs'));
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const out = await promisify(execFile)(DEPCRUISE, ['--config', config, '--output-type', 'json', '{functions,shared,infra,simulator,cli}/**/*.ts'], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
  );
  return Report.parse(JSON.parse(out.stdout)).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('code boundaries (npm run lint:deps)', () => {
  it('every forbidden import of the fixture tree fails its named rule, type-only imports included; the output tables stay open to the simulator', async () => {
    // Prepare: test/fixtures/boundaries holds one file per forbidden import, and one allowed import.
    // Act
    const found = await violations(FIXTURE);
    // Assess
    expect(found).toEqual([
      'not-to-test: infra/imports-test.ts → test/helper.ts',
      'runtime-not-cli: functions/imports-cli.ts → cli/command.ts',
      'runtime-not-simulator: shared/http/imports-simulator.ts → simulator/tenant.ts',
      'shared-not-functions: shared/engine/imports-functions-type.ts → functions/product.ts',
      'shared-not-functions: shared/engine/imports-functions.ts → functions/product.ts',
      'simulator-not-collector: simulator/imports-collector.ts → functions/product.ts',
    ]);
  });
});
