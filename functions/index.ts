import type { Product } from '../shared/config.ts';
import type { ProductModule } from '../shared/engine/collect.ts';
import { jira } from './jira.ts';

/** Every product module, by product name. */
export const productModules: Readonly<Record<Product, ProductModule>> = { jira };

export function moduleFor(product: Product): ProductModule {
  return productModules[product];
}

export { jira, jiraStreams, JIRA_PAGE_SIZES } from './jira.ts';
export * from './jira.tables.ts';
