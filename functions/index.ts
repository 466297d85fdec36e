import type { Product } from '../shared/config.ts';
import type { ProductModule } from '../shared/engine/collect.ts';
import { ConfigError } from '../shared/errors.ts';
import { jira } from './jira.ts';
import { admin } from './admin.ts';
import { bitbucket } from './bitbucket.ts';
import { confluence } from './confluence.ts';

/** Every product module, by product name. */
export const productModules: Readonly<Partial<Record<Product, ProductModule>>> = {
  jira,
  admin,
  bitbucket,
  confluence,
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
