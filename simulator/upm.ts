/**
 * The Universal Plugin Manager's app list (`GET /rest/plugins/1.0/`, Confluence `/wiki/rest/plugins/1.0/`),
 * shared by the simulated Jira and Confluence sites. Not in any published spec (see functions/upm.ts): the
 * shape follows https://confluence.atlassian.com/jirakb/how-to-access-upm-rest-api-for-license-details-777021716.html
 * — `{links, plugins: [{key, name, version, enabled, userInstalled, vendor: {name}, links, ...}]}`, site admins
 * only (others get 403).
 */
import { hash32 } from './random.ts';
import type { RouteContext, RouteResult, TableRoute } from './server.ts';

export interface UpmApp {
  key: string;
  name: string;
  version: string;
  enabled: boolean;
  userInstalled: boolean;
  vendor?: string;
}

/** A site's apps: bundled ones, Marketplace/Connect and Forge apps an admin installed, one disabled, one without vendor. */
export function upmApps(seed: number, product: 'jira' | 'confluence'): UpmApp[] {
  const v = (n: number) => `${1 + (hash32(seed, product, n) % 9)}.${hash32(seed, n) % 20}.${hash32(n, seed) % 5}`;
  return [
    { key: `com.atlassian.${product}.core`, name: `${product === 'jira' ? 'Jira' : 'Confluence'} core`, version: v(1), enabled: true, userInstalled: false, vendor: 'Atlassian' },
    { key: 'com.atlassian.upm.atlassian-universal-plugin-manager-plugin', name: 'Atlassian Universal Plugin Manager Plugin', version: v(2), enabled: true, userInstalled: false, vendor: 'Atlassian' },
    { key: 'com.onresolve.jira.groovy.groovyrunner', name: 'ScriptRunner', version: v(3), enabled: true, userInstalled: true, vendor: 'Adaptavist' },
    { key: 'ari:cloud:ecosystem::app/0c1d2e3f-forge', name: 'Timesheets — Zeiterfassung ⏱', version: v(4), enabled: true, userInstalled: true, vendor: 'Tempo Software' },
    { key: 'com.example.legacy-connect', name: 'Legacy Connect app', version: v(5), enabled: false, userInstalled: true, vendor: 'Example GmbH' },
    { key: 'io.internal.homegrown', name: 'Homegrown integration', version: v(6), enabled: true, userInstalled: true },
  ];
}

/** The UPM list of a site's apps; `forbidden`: the collecting account administers the product but is not a site admin. */
function upmPlugins(ctx: RouteContext, apps: readonly UpmApp[], forbidden: boolean): RouteResult {
  if (forbidden) return { status: 403, body: { errorMessages: ['Must have permission to access this resource.'], errors: {} } };
  return {
    status: 200,
    body: {
      links: { self: `${ctx.baseUrl}${ctx.path}` },
      plugins: apps.map((a) => ({
        enabled: a.enabled,
        links: { self: `${ctx.baseUrl}${ctx.path}${a.key}-key` },
        name: a.name,
        version: a.version,
        userInstalled: a.userInstalled,
        optional: a.userInstalled,
        static: !a.userInstalled,
        unloadable: false,
        key: a.key,
        ...(a.vendor ? { vendor: { name: a.vendor, link: 'https://www.atlassian.com/' } } : {}),
      })),
    },
  };
}

/** The UPM table entry at `path` for a tenant state `S`: `appsOf` and `forbiddenOf` read the tenant's apps and access. */
export function upmRoute<S>(path: string, appsOf: (state: S) => readonly UpmApp[], forbiddenOf: (state: S) => boolean = () => false): TableRoute<S> {
  return {
    method: 'GET',
    path,
    denyLimited: { status: 403, message: 'Must have permission to access this resource.' },
    handle: (state, ctx) => upmPlugins(ctx, appsOf(state), forbiddenOf(state)),
  };
}

/** `<product>_installed_apps` rows, without site/collected_at/deployment. */
export function upmTruth(apps: readonly UpmApp[]): Record<string, unknown>[] {
  return apps.map((a) => ({ app_key: a.key, name: a.name, version: a.version, enabled: a.enabled, user_installed: a.userInstalled, vendor_name: a.vendor ?? null }));
}
