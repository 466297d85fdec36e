import { z } from 'zod';

/** Products the collector knows. Each has one module under `functions/`. */
export const PRODUCTS = ['jira', 'confluence', 'bitbucket', 'admin', 'jsm', 'assets', 'opsgenie', 'trello', 'jira-dc', 'confluence-dc'] as const;
export const ProductSchema = z.enum(PRODUCTS);
export type Product = z.infer<typeof ProductSchema>;

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lower-case letters, digits and dashes (it becomes the org= partition)');

/** How a unit authenticates. The secret (Secrets Manager, or the environment locally) holds the values. */
export const AuthSchema = z.discriminatedUnion('kind', [
  z.object({
    /** HTTP basic with an Atlassian account e-mail and API token. Secret JSON: `{"email": "...", "apiToken": "..."}`. */
    kind: z.literal('basic'),
    secretName: z.string().min(1).optional(),
  }),
  z.object({
    /** Bearer token: OAuth 2.0 access token, org admin API key or Data Center PAT. Secret JSON: `{"token": "..."}`. */
    kind: z.literal('bearer'),
    secretName: z.string().min(1).optional(),
  }),
  z.object({
    /**
     * OAuth 2.0 (3LO) with rotating refresh tokens. Secret JSON:
     * `{"clientId", "clientSecret", "refreshToken", "accessToken"?, "expiresAt"?}`; the collector writes the
     * rotated refresh token back into the secret before using the new access token.
     */
    kind: z.literal('oauth2'),
    secretName: z.string().min(1).optional(),
    /** @default 'https://auth.atlassian.com/oauth/token' */
    tokenUrl: z.url().optional(),
  }),
  z.object({
    /** OAuth client credentials grant (Bitbucket OAuth consumer). Secret JSON: `{"clientId", "clientSecret"}`. */
    kind: z.literal('client-credentials'),
    secretName: z.string().min(1).optional(),
    /** @default 'https://bitbucket.org/site/oauth2/access_token' */
    tokenUrl: z.url().optional(),
  }),
  z.object({
    /**
     * Opsgenie API key, sent as `Authorization: GenieKey <key>` (https://docs.opsgenie.com/docs/authentication).
     * Secret JSON: `{"apiKey": "..."}`.
     */
    kind: z.literal('genie-key'),
    secretName: z.string().min(1).optional(),
  }),
  z.object({
    /**
     * Trello API key and user token, sent as `Authorization: OAuth oauth_consumer_key="<key>", oauth_token="<token>"`
     * (https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/). Secret JSON: `{"apiKey": "...", "token": "..."}`.
     */
    kind: z.literal('trello'),
    secretName: z.string().min(1).optional(),
  }),
]);
export type AuthConfig = z.infer<typeof AuthSchema>;

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `${what} must be an http(s) URL` });

/** One collection unit: one product of one site of one organization. */
export const UnitSchema = z.object({
  org: slug,
  product: ProductSchema,
  /**
   * The site (`https://acme.atlassian.net` for Jira and Confluence) or the product's API host
   * (`https://api.bitbucket.org` for Bitbucket, `https://api.atlassian.com` for the Admin API).
   */
  siteUrl: httpUrl('siteUrl (e.g. https://acme.atlassian.net)'),
  /**
   * Base URL the API calls go to, when it differs from the site. Scoped API tokens and OAuth 2.0 go
   * through `https://api.atlassian.com/ex/jira/{cloudId}` (or `/ex/confluence/{cloudId}`); a literal
   * `{cloudId}` is replaced by the id the site's `/_edge/tenant_info` answers. @default the site URL
   */
  apiBaseUrl: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'apiBaseUrl must be an http(s) URL, e.g. https://api.atlassian.com/ex/jira/{cloudId}')
    .optional(),
  /** Admin API: the organization id (from admin.atlassian.com). */
  orgId: z.string().min(1).optional(),
  /** Bitbucket: workspaces to collect (slugs). @default every workspace the credential can see */
  workspaces: z.array(z.string().min(1)).optional(),
  /**
   * Admin: whose API tokens to read (`GET /users/{id}/manage/api-tokens` costs one request per account):
   * `managed` accounts, only `active` managed accounts, or `none`. @default 'managed'
   */
  apiTokens: z.enum(['managed', 'active', 'none']).optional(),
  /**
   * Assets (functions/assets.ts): `objectTypes` names the object types (by name or id) whose objects are
   * read with AQL (default none: only schemas and types); `pathPrefix` is where the Assets API sits below
   * the unit's base URL. @default { pathPrefix: '/jsm/assets' }
   */
  assets: z
    .object({
      objectTypes: z.array(z.string().min(1)).optional(),
      pathPrefix: z.string().regex(/^\/[^\s?#]*$/, 'assets.pathPrefix must be a path such as /jsm/assets').optional(),
    })
    .optional(),
  /**
   * Share of the API's published request budget this unit may spend, 0 < share ≤ 1; the rest is left to the
   * customer's other tools. Shared by every unit of the same site and credential in one process. @default 0.8
   */
  rateLimitShare: z.number().gt(0, 'rateLimitShare must be more than 0').max(1, 'rateLimitShare is a share of the budget: at most 1').optional(),
  /**
   * Requests per window the API grants this credential, when more than documented and not told by headers:
   * Bitbucket Cloud's scaled limit for workspaces over 100 paid seats (1,000 + 10 per seat above 100, at
   * most 10,000 per hour). @default the product's documented budget
   */
  rateLimitBudget: z.int().min(1).optional(),
  auth: AuthSchema,
});
export type Unit = z.infer<typeof UnitSchema>;

/** One run of the whole collection (one snapshot date). */
export const RunSchema = z.object({
  /** Unique id of the run (the Step Functions execution name, or a local timestamp). */
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, 'run.id: letters, digits, dash, dot, underscore'),
  /** Snapshot date, the dt= partition. */
  date: z.iso.date(),
});
export type Run = z.infer<typeof RunSchema>;

/**
 * The deployment config: one schema for `cdk deploy` and `npm run collect -- --config`.
 */
export const ConfigSchema = z.object({
  organizations: z
    .array(
      z.object({
        id: slug,
        units: z.array(UnitSchema.omit({ org: true })).min(1),
      }),
    )
    .min(1),
  /** EventBridge Scheduler expression. @default 'cron(0 3 * * ? *)' (daily 03:00 UTC) */
  schedule: z.string().default('cron(0 3 * * ? *)'),
  /** Units collected at once. @default 4 */
  concurrency: z.int().min(1).max(40).default(4),
  lambda: z
    .object({
      memoryMb: z.int().min(256).max(10240).default(512),
      timeoutSeconds: z.int().min(60).max(900).default(900),
    })
    .prefault({}),
  /** Days a published snapshot is kept. @default 400 */
  retentionDays: z.int().min(1).default(400),
  alarmEmail: z.email().optional(),
  /** AWS deployment settings, read by `cdk deploy` and `npm run sync` only (the local command ignores them). */
  aws: z
    .object({
      /** CloudFormation stack name; it also prefixes the names of the state machine and the default secrets. @default 'atlassian-access-collector' */
      stackName: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'aws.stackName: letters, digits and dashes, starting with a letter, at most 64')
        .default('atlassian-access-collector'),
      /** Name of the data bucket. @default a name CloudFormation generates */
      dataBucketName: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'aws.dataBucketName must be a valid S3 bucket name')
        .optional(),
      /**
       * `create`: the stack creates each unit's secret with a placeholder value that you replace;
       * `existing`: the secrets exist already, the stack only grants read access. @default 'create'
       */
      secrets: z.enum(['create', 'existing']).default('create'),
      /** Glue database of the output tables. @default 'atlassian_access' */
      glueDatabase: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,254}$/, 'aws.glueDatabase: lower-case letters, digits and underscores')
        .default('atlassian_access'),
      /** IANA time zone the schedule expression is evaluated in. @default 'UTC' */
      scheduleTimeZone: z.string().min(1).default('UTC'),
    })
    .prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Flatten a config into its units. */
export function unitsOf(config: Config): Unit[] {
  return config.organizations.flatMap((o) => o.units.map((u) => ({ ...u, org: o.id })));
}

/** Stable identifier of a unit, used in file names and logs: `org/product/host`. */
export function unitId(unit: Unit): string {
  return `${unit.org}/${unit.product}/${siteHost(unit)}`;
}

/** Host of a unit's site (with port when not default), e.g. `acme.atlassian.net`. */
export function siteHost(unit: Pick<Unit, 'siteUrl'>): string {
  return new URL(unit.siteUrl).host;
}

/** File-name-safe form of a unit's site and product: `jira-acme.atlassian.net` → `jira-acme-atlassian-net`. */
export function unitSlug(unit: Unit): string {
  return `${unit.product}-${siteHost(unit)}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
