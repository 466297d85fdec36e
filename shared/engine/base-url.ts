import { request } from 'undici';
import { z } from 'zod';
import type { Unit } from '../config.ts';
import { ConfigError } from '../errors.ts';

const TenantInfo = z.object({ cloudId: z.string().min(1) });

/**
 * The base URL a unit's API calls go to: `apiBaseUrl` if set (with `{cloudId}` replaced by the site's cloud
 * id), else the site URL. The cloud id comes from `GET <site>/_edge/tenant_info`, which needs no
 * credentials (https://support.atlassian.com/jira/kb/retrieve-my-atlassian-sites-cloud-id; facts sheet §2),
 * so none are sent.
 */
export async function resolveBaseUrl(unit: Unit, fallback?: string): Promise<string> {
  const template = unit.apiBaseUrl ?? fallback ?? unit.siteUrl;
  if (!template.includes('{cloudId}')) return template;
  const site = new URL(unit.siteUrl);
  const url = new URL('/_edge/tenant_info', site.origin);
  let body: unknown;
  try {
    const res = await request(url, { headersTimeout: 15_000, bodyTimeout: 15_000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    body = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      `[org ${unit.org}, product ${unit.product}, site ${site.host}, endpoint GET /_edge/tenant_info] could not read the site's cloud id (${(e as Error).message}). ` +
        `Check siteUrl, or put the cloud id into apiBaseUrl instead of {cloudId}.`,
      { cause: e },
    );
  }
  const parsed = TenantInfo.safeParse(body);
  if (!parsed.success) {
    throw new ConfigError(`[org ${unit.org}, site ${site.host}, endpoint GET /_edge/tenant_info] answered without a cloudId; put the cloud id into apiBaseUrl.`);
  }
  return template.replaceAll('{cloudId}', encodeURIComponent(parsed.data.cloudId));
}
