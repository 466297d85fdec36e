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
