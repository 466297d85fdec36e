import { z } from 'zod';

/**
 * Field helpers for reading API responses: one definition for every product module (they were redefined in
 * ten files). A field the API omits or sends as null becomes `null`, so a row column can say "unknown"; an id
 * the API sends as a number or a string becomes a string.
 */

/** Optional string: absent or null → `null`. */
export const str = z.string().nullish().transform((v) => v ?? null);
/** Optional boolean: absent or null → `null`. */
export const bool = z.boolean().nullish().transform((v) => v ?? null);
/** Optional integer: absent or null → `null`. */
export const int = z.int().nullish().transform((v) => v ?? null);
/** Identifier sent as a string or a number, read as a string. */
export const id = z.union([z.string(), z.number()]).transform(String);
/** Identifier sent as a non-empty string or a number, read as a string. */
export const nonEmptyId = z.union([z.string().min(1), z.number()]).transform(String);
/** Optional string where an empty one means unknown too: absent, null or `''` → `null`. */
export const nonEmpty = z
  .string()
  .nullish()
  .transform((v) => (v ? v : null));
/**
 * Date-time in any form `Date.parse` reads (ISO-8601 with an offset or microseconds), written as UTC ISO-8601
 * (`…Z`); absent, null or one the runtime cannot read → `null`, rather than failing the run.
 */
export const timestamp = z
  .string()
  .nullish()
  .transform((v) => {
    const t = v ? Date.parse(v) : Number.NaN;
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  });
