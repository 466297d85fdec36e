import type { Product } from '../shared/config.ts';
import type { ProductModule } from '../shared/engine/collect.ts';
import { ConfigError } from '../shared/errors.ts';
import { jira } from './jira.ts';
import { admin } from './admin.ts';
import { bitbucket } from './bitbucket.ts';
import { confluence } from './confluence.ts';
import { jiraDc } from './jira-dc.ts';
import { confluenceDc } from './confluence-dc.ts';
import { opsgenie } from './opsgenie.ts';
import { jsmOps } from './jsm-ops.ts';
import { trello } from './trello.ts';
import { jsm } from './jsm.ts';
import { assets } from './assets.ts';

/** Every product module, by product name. */
export const productModules: Readonly<Partial<Record<Product, ProductModule>>> = {
  jira,
  admin,
  bitbucket,
  confluence,
  'jira-dc': jiraDc,
  'confluence-dc': confluenceDc,
  opsgenie,
  'jsm-ops': jsmOps,
  trello,
  jsm,
  assets,
};

export function moduleFor(product: Product): ProductModule {
  const m = productModules[product];
  if (!m) throw new ConfigError(`product '${product}' has no collector in this version; remove it from the config or upgrade.`);
  return m;
}

export { jira, jiraStreams, JIRA_PAGE_SIZES } from './jira.ts';
export * from './jira.tables.ts';
export * from './admin.tables.ts';
export * from './bitbucket.tables.ts';
export * from './confluence.tables.ts';
export * from './opsgenie.tables.ts';
export * from './jsm-ops.tables.ts';
export * from './trello.tables.ts';
export * from './jsm.tables.ts';
export * from './assets.tables.ts';
