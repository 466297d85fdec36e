/**
 * The deployment config, read against the registry: every product's unit options (functions/index.ts
 * `ConfigSchema`). Used by `cdk synth` (infra/config.ts), `npm run collect -- --config` and `npm run sync`.
 */
import type { Config } from '../shared/config.ts';
import { loadConfigWith, parseConfigWith } from '../shared/workflow/config-file.ts';
import { ConfigSchema } from './index.ts';

/** Validate a config object. Throws ConfigError naming the source and the field. */
export function parseConfig(json: unknown, source = 'config'): Config {
  return parseConfigWith(ConfigSchema, json, source);
}

/** Read and validate a config file. Throws ConfigError naming the file and the field. */
export function loadConfig(path: string): Config {
  return loadConfigWith(ConfigSchema, path);
}
