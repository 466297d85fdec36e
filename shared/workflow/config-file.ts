/**
 * The deployment config file: where it is, how it is read and validated. Shared by `cdk synth`
 * (infra/app.ts) and `npm run sync`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigSchema, siteHost, unitsOf, type Config, type Unit } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { defaultSecretName } from './names.ts';

/** Config file used when neither `--context config=<path>` nor `COLLECTOR_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = 'collector.config.example.json';

/** Which config file to use: `--context config=<path>`, else `COLLECTOR_CONFIG`, else the example. */
export function configPath(contextValue: unknown, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const p = typeof contextValue === 'string' && contextValue ? contextValue : env.COLLECTOR_CONFIG || DEFAULT_CONFIG_FILE;
  return isAbsolute(p) ? p : resolve(cwd, p);
}

/** Read and validate a config file. Throws ConfigError naming the file and the field. */
export function loadConfig(path: string): Config {
  if (!existsSync(path)) {
    throw new ConfigError(`config file ${path} not found. Copy collector.config.example.json, edit it, and pass it with --context config=<path> or COLLECTOR_CONFIG=<path>.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(json, path);
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SCHEDULE = /^(cron|rate|at)\(.+\)$/;

/**
 * Validate a config object: the zod schema, then the rules that span fields (unique orgs and units,
 * secret names Secrets Manager accepts, a schedule expression EventBridge Scheduler accepts).
 */
export function parseConfig(json: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i?.path.length ? i.path.join('.') : '(top level)';
    throw new ConfigError(`${source}: ${field}: ${i?.message ?? 'invalid'}`);
  }
  const config = r.data;
  const orgs = new Set<string>();
  config.organizations.forEach((o, oi) => {
    if (orgs.has(o.id)) throw new ConfigError(`${source}: organizations.${oi}.id: organization '${o.id}' is listed twice; merge its units.`);
    orgs.add(o.id);
    const seen = new Set<string>();
    o.units.forEach((u, ui) => {
      const key = `${u.product} ${siteHost(u)}`;
      if (seen.has(key)) {
        throw new ConfigError(`${source}: organizations.${oi}.units.${ui}: ${u.product} of ${siteHost(u)} is already a unit of organization '${o.id}'.`);
      }
      seen.add(key);
      if (u.auth.secretName !== undefined && !SECRET_NAME.test(u.auth.secretName)) {
        throw new ConfigError(`${source}: organizations.${oi}.units.${ui}.auth.secretName: use letters, digits and /_+=.@- (at most 512).`);
      }
    });
  });
  if (!SCHEDULE.test(config.schedule)) {
    throw new ConfigError(`${source}: schedule: '${config.schedule}' is not an EventBridge Scheduler expression such as 'cron(0 3 * * ? *)' or 'rate(1 day)'.`);
  }
  return config;
}

/** The config's units with every secret name filled in (the default is `<stack>/<org>/<product>-<host>`). */
export function deployedUnits(config: Config): Unit[] {
  return unitsOf(config).map((u) => ({
    ...u,
    auth: { ...u.auth, secretName: u.auth.secretName ?? defaultSecretName(config.aws.stackName, u) },
  }));
}
