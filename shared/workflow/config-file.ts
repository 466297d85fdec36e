/**
 * The deployment config file: where it is, how it is read and validated. Shared by `cdk synth`
 * (infra/app.ts) and `npm run sync`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { siteHost, unitsOf, type Config, type Unit } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { defaultSecretName } from './names.ts';

/** Config file used when neither `--context config=<path>` nor `COLLECTOR_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = 'collector.config.example.json';

/** Which config file to use: `--context config=<path>`, else `COLLECTOR_CONFIG`, else the example. */
export function configPath(contextValue: unknown, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const p = typeof contextValue === 'string' && contextValue ? contextValue : env.COLLECTOR_CONFIG || DEFAULT_CONFIG_FILE;
  return isAbsolute(p) ? p : resolve(cwd, p);
}

/** The deployment config's schema, with every product's unit options: functions/index.ts `ConfigSchema`. */
export type ConfigSchemaLike = z.ZodType<Config>;

/**
 * Read and validate a config file against the registry's schema (functions/config.ts binds it: `loadConfig`).
 * Throws ConfigError naming the file and the field.
 */
export function loadConfigWith(schema: ConfigSchemaLike, path: string): Config {
  if (!existsSync(path)) {
    throw new ConfigError(`config file ${path} not found. Copy collector.config.example.json, edit it, and pass it with --context config=<path> or COLLECTOR_CONFIG=<path>.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfigWith(schema, json, path);
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SCHEDULE = /^(cron|rate|at)\(.+\)$/;

/**
 * Validate a config object: the zod schema, then the rules that span fields (unique orgs and units,
 * secret names Secrets Manager accepts, a schedule expression EventBridge Scheduler accepts).
 */
export function parseConfigWith(schema: ConfigSchemaLike, json: unknown, source = 'config'): Config {
  const unknown = unknownKeys(schema, json, []);
  if (unknown) {
    const near = nearest(unknown.key, unknown.known);
    throw new ConfigError(
      `${source}: ${[...unknown.path, unknown.key].join('.')}: unknown key '${unknown.key}'${near ? ` (did you mean '${near}'?)` : ''}; ` +
        `valid keys here: ${unknown.known.join(', ')}.`,
    );
  }
  const r = schema.safeParse(json);
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

/** The schema inside optional/default/nullable/pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    const def = s._zod.def as { innerType?: z.ZodType; in?: z.ZodType };
    const inner = def.innerType ?? def.in;
    if (!inner) return s;
    s = inner;
  }
  return s;
}

/**
 * The first key of `value` that `schema` does not declare (a typo such as `sietUrl` would otherwise be dropped
 * silently), with its path and the keys valid there.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: readonly (string | number)[]): { path: (string | number)[]; key: string; known: string[] } | undefined {
  const s = unwrap(schema);
  if (s instanceof z.ZodArray && Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = unknownKeys(s.element as z.ZodType, v, [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (s instanceof z.ZodDiscriminatedUnion && value !== null && typeof value === 'object') {
    const disc = (s._zod.def as { discriminator: string }).discriminator;
    const tag = (value as Record<string, unknown>)[disc];
    const option = (s.options as z.ZodType[]).find((o) => {
      const shape = (unwrap(o) as z.ZodObject).shape as Record<string, z.ZodType> | undefined;
      const lit = shape?.[disc];
      return lit instanceof z.ZodLiteral && lit.values.has(tag as never);
    });
    return option ? unknownKeys(option, value, path) : undefined;
  }
  if (s instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    const known = Object.keys(shape);
    for (const [k, v] of Object.entries(value)) {
      const field = shape[k];
      if (!field) return { path: [...path], key: k, known };
      const found = unknownKeys(field, v, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The known key closest to `key` (edit distance at most 3, or a prefix of it), if any. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const prev = d[i - 1] as number[];
        row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      }
    }
    return (d[a.length] as number[])[b.length] as number;
  };
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    // A key that starts the other (`retention` for `retentionDays`) counts as close.
    const d = k.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(k.toLowerCase()) ? 1 : dist(key, k);
    if (d <= 3 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}
