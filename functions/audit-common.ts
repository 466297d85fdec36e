import { z } from 'zod';

/**
 * An audit event's time as the APIs give it: ISO-8601 with `Z`, `+0000` or `+00:00` (Jira `created`, Admin
 * `attributes.time`) or epoch milliseconds (Confluence `creationDate`), normalized to UTC with milliseconds.
 */
export const auditTime = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : Date.parse(v.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (!Number.isFinite(t)) {
    ctx.issues.push({ code: 'custom', message: `not a date-time: '${String(v)}'`, input: v });
    return z.NEVER;
  }
  return new Date(t).toISOString();
});

/** Epoch milliseconds of an ISO-8601 window bound, as the Admin and Confluence audit APIs take it. */
export function epochMs(iso: string): string {
  return String(Date.parse(iso));
}
