import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's chromium package; `.ci/run` installs it. Tests that need it skip, saying why, when it is absent. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `${CHROMIUM} is absent (apt-get install -y chromium): the headless rendering check is skipped`;

/** Run headless Chromium on a file URL with extra flags (e.g. --dump-dom, --screenshot=<png>); resolves stdout. */
export function chromium(url: string, flags: readonly string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars', ...flags, url],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`chromium did not finish in ${timeoutMs} ms: ${err.slice(-500)}`));
    }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`));
    });
  });
}
