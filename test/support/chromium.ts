import { existsSync } from 'node:fs';

/**
 * Debian's chromium package; `.ci/run` installs it. test/report drives it with playwright-core (no browser
 * download: playwright-core only speaks the DevTools protocol). Tests that need it skip, saying why, when it is absent.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `${CHROMIUM} is absent (apt-get install -y chromium): the report's browser tests are skipped`;
