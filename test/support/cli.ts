import { runCollect } from '../../cli/collect.ts';
import { DEFAULT_CREDENTIALS } from '../../simulator/index.ts';
import { LocalStore } from '../../shared/sink/store.ts';

/** An API token the simulators reject; no message, log line or file may contain it. */
export const WRONG_TOKEN = 'wrong-token-value-123';

/**
 * The 401 path of `npm run collect` for a basic-auth product: one run with the simulator's credentials, the
 * published files it left, then a run of the same date with a wrong API token.
 */
export async function collectThenWrongToken(product: string, siteUrl: string, out: string) {
  const argv = ['--product', product, '--site-url', siteUrl, '--org', 'acme', '--out', out, '--date', '2026-11-28'];
  const good = await runCollect([...argv, '--run-id', 'good'], { quiet: true, env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken } });
  const publishedBefore = await new LocalStore(out).list(`${product}_`);
  const bad = await runCollect([...argv, '--run-id', 'bad'], { quiet: true, env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: WRONG_TOKEN } });
  return { good, bad, publishedBefore };
}
