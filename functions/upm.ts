import { z } from 'zod';
import { parsePayload, single } from '../shared/engine/paginate.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { col, defineTable, type TableDef } from '../shared/schema/table.ts';

// Installed apps (Marketplace, Connect, Forge and Atlassian's own) of a Jira or Confluence site.
//
// Why UPM: neither published spec has an endpoint that lists installed apps (JRACLOUD-95422 / CONFCLOUD-82298
// ask for one). The Universal Plugin Manager's REST resource `GET <site>/rest/plugins/1.0/` (Confluence:
// `/wiki/rest/plugins/1.0/`) is what the site's own "Manage apps" page reads
// (https://confluence.atlassian.com/jirakb/how-to-access-upm-rest-api-for-license-details-777021716.html); it
// answers site administrators only, and only on the site URL (not through the api.atlassian.com gateway). It is
// therefore an optional stream: a 403 or 404 leaves the table empty and is counted, never failing the unit.

const columns = {
  app_key: col.string(),
  name: col.string().nullable(),
  version: col.string().nullable(),
  enabled: col.bool().nullable(),
  user_installed: col.bool().nullable().describe('installed by an admin (Marketplace/Connect/Forge), not bundled with the product'),
  vendor_name: col.string().nullable(),
};

export function installedAppsTable(product: 'jira' | 'confluence'): TableDef<typeof columns> {
  return defineTable({
    name: `${product}_installed_apps`,
    description: `App installed on the ${product === 'jira' ? 'Jira' : 'Confluence'} site (from the Universal Plugin Manager; empty when the account is not a site admin).`,
    key: ['app_key'],
    columns,
  });
}

const Plugin = z.object({
  key: z.string().min(1),
  name: z.string().nullish(),
  version: z.string().nullish(),
  enabled: z.boolean().nullish(),
  userInstalled: z.boolean().nullish(),
  vendor: z.object({ name: z.string().nullish() }).nullish(),
});

/** The UPM stream for a site: `path` is `/rest/plugins/1.0/` (Jira) or `/wiki/rest/plugins/1.0/` (Confluence). */
export function installedAppsStream(path: string, table: TableDef<typeof columns>): Stream {
  return defineStream({
    name: 'installed_apps',
    style: () =>
      single({
        path,
        item: Plugin,
        select: (b, endpoint) => parsePayload(z.object({ plugins: z.array(z.unknown()) }), b, endpoint).plugins,
        requires: 'site administrator rights (the "Manage apps" page)',
      }),
    rows: (p) => [
      row(table, {
        app_key: p.key,
        name: p.name ?? null,
        version: p.version ?? null,
        enabled: p.enabled ?? null,
        user_installed: p.userInstalled ?? null,
        vendor_name: p.vendor?.name ?? null,
      }),
    ],
    notFound: 'empty',
    optional: true,
  });
}
