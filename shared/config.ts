import { z } from 'zod';

/** Stack name when the config names none (`aws.stackName`). */
export const DEFAULT_STACK_NAME = 'atlassian-access-collector';

/**
 * The products, filled in by the registry of product modules (functions/index.ts) through declaration merging:
 * this library never imports `functions/`, not even its types. A key is a product name, its value the
 * product's module. The config file and the local command check a unit's product against the registry, the
 * engine against the module it is given.
 */
export interface ProductRegistry {}
/** Every product's unit options (each optional; its module reads and checks them), filled in by functions/index.ts. */
export interface ProductOptions {}
/** A product's name: a key of the registry. */
export type Product = keyof ProductRegistry & string;

/** A product name as it travels in the workflow's payloads (the registry has checked it when the config was read). */
export const ProductNameSchema = z.custom<Product>(
  (v) => typeof v === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(v),
  'product: a product name such as jira or confluence-dc (see the README for the list)',
);

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
export const unitFields = {
  org: slug,
  product: ProductNameSchema,
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
  /**
   * Audit logs (incremental streams: functions/admin.ts, jira.ts, confluence.ts): days the first collection reads
   * back, capped by the product's retention. Later runs read from the last published watermark. @default 30
   */
  auditBackfillDays: z.int().min(1, 'auditBackfillDays: at least 1').max(3650, 'auditBackfillDays: at most 3650').optional(),
  /**
   * Audit logs: minutes before the last watermark a run reads again, for events the API lists late; what was
   * stored before is dropped by event id. @default 60
   */
  auditOverlapMinutes: z.int().min(0).max(7 * 24 * 60, 'auditOverlapMinutes: at most a week (10080)').optional(),
  auth: AuthSchema,
};

/** The unit fields every product has. */
export const UnitBaseSchema = z.object(unitFields);
/** A unit: the fields every product has and its product's options (ProductModule.options). */
export type Unit = z.infer<typeof UnitBaseSchema> & ProductOptions;

/**
 * A unit as the engine and the workflow receive it: the common fields checked, the product's options passed
 * through for its module, which checks them (the config file was checked against every module's options when
 * it was read).
 */
export const UnitSchema: z.ZodType<Unit, z.input<typeof UnitBaseSchema>> = UnitBaseSchema.loose() as z.ZodType<Unit, z.input<typeof UnitBaseSchema>>;

/** One run of the whole collection (one snapshot date). */
export const RunSchema = z.object({
  /** Unique id of the run (the Step Functions execution name, or a local timestamp). */
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, 'run.id: letters, digits, dash, dot, underscore'),
  /** Snapshot date, the dt= partition. */
  date: z.iso.date(),
});
export type Run = z.infer<typeof RunSchema>;

const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'aws.kms.keyArn: a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)');

/**
 * `create`: the stack creates a key (rotation on) whose policy lets only this account's CloudWatch Logs and
 * CloudWatch alarms use it beside IAM; `existing`: the stack uses your key and grants the roles on it (its key
 * policy must allow IAM policies and the services, see the README).
 */
export const KmsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('create') }).strict(),
  z.object({ mode: z.literal('existing'), keyArn: kmsKeyArn }).strict(),
]);
export type KmsConfig = z.infer<typeof KmsSchema>;

/**
 * `create`: a VPC with public and private subnets in `maxAzs` zones and one NAT gateway (with an Elastic IP) per zone;
 * `existing`: your VPC and private subnets whose route to the internet goes through your NAT (its IPs are yours to list).
 */
export const NetworkSchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('create'),
      /** Availability zones, one NAT gateway each. @default 2 */
      maxAzs: z.int().min(1).max(3).default(2),
      /** The VPC's address range. @default '10.80.0.0/24' */
      cidr: z
        .string()
        .regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/, 'aws.network.cidr: an IPv4 range from /16 to /24, e.g. 10.80.0.0/24')
        .default('10.80.0.0/24'),
    })
    .strict(),
  z
    .object({
      mode: z.literal('existing'),
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'aws.network.vpcId: a VPC id, vpc-0123456789abcdef0'),
      /** Private subnets with a route to a NAT gateway (a Lambda never gets a public IP). */
      subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'aws.network.subnetIds: subnet ids, subnet-0123456789abcdef0')).min(1),
      /** Security groups of the collect Lambda. @default one the stack creates, all outbound allowed, no inbound */
      securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'aws.network.securityGroupIds: security group ids, sg-0123456789abcdef0')).min(1).optional(),
    })
    .strict(),
]);
export type NetworkConfig = z.infer<typeof NetworkSchema>;

const iamPrincipalArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]{1,512}$/, 'aws.lakeFormation.analystPrincipalArns: IAM role or user ARNs, arn:aws:iam::<account>:role/<name>');

/** Lake Formation: register `data/` and grant the analysts (and the finalize Lambda, for Parquet) through it. */
export const LakeFormationSchema = z
  .object({
    /** Roles or users granted DESCRIBE on the database and SELECT, DESCRIBE on every table and view. */
    analystPrincipalArns: z.array(iamPrincipalArn).min(1),
  })
  .strict();
export type LakeFormationConfig = z.infer<typeof LakeFormationSchema>;

/**
 * The deployment config: one schema for `cdk deploy` and `npm run collect -- --config`, built by the registry
 * (functions/index.ts `ConfigSchema`) from the unit schema with every product's options (a unit in the file
 * has no `org`: its organization's `id` is it).
 */
export function configSchema<U extends z.ZodType>(unitWithoutOrg: U) {
  return z.object({
    organizations: z
      .array(
        z.object({
          id: slug,
          units: z.array(unitWithoutOrg).min(1),
        }),
      )
      .min(1),
    ...configFields.shape,
  });
}

const configFields = z.object({
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
        .default(DEFAULT_STACK_NAME),
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
      /**
       * Glue database of the output tables; the Athena workgroup is named after it (underscores as dashes).
       * @default 'atlassian_access' with the default stack name, else the stack name in lower case with underscores
       * (so two stacks in one account, e.g. staging and production, do not collide)
       */
      glueDatabase: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,254}$/, 'aws.glueDatabase: lower-case letters, digits and underscores')
        .optional(),
      /** IANA time zone the schedule expression is evaluated in. @default 'UTC' */
      scheduleTimeZone: z.string().min(1).default('UTC'),
      /** Customer-managed KMS key for the data, secrets, logs, alarm topic and Athena results. @default none (SSE-S3, AWS-managed keys) */
      kms: KmsSchema.optional(),
      /** Run the collect Lambda in a VPC (fixed egress IPs for Atlassian IP allowlists). @default none (no VPC) */
      network: NetworkSchema.optional(),
      /** Govern the Glue database with Lake Formation. @default none (IAM only) */
      lakeFormation: LakeFormationSchema.optional(),
      /** Tags applied to every taggable resource of the stack. @default none */
      tags: z
        .record(z.string(), z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, 'aws.tags: a tag value has at most 256 letters, digits, spaces or _.:/=+-@'))
        // Keys checked here, not by a key schema: zod reports a bad record key only as "Invalid key in record".
        .superRefine((t, ctx) => {
          for (const k of Object.keys(t)) {
            if (!/^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(k)) {
              ctx.addIssue({ code: 'custom', path: [k], message: `aws.tags: '${k}' is not a tag key: 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:` });
            }
          }
          if (Object.keys(t).length > 40) ctx.addIssue({ code: 'custom', message: 'aws.tags: at most 40 tags (AWS allows 50 per resource; CDK adds its own)' });
        })
        .optional(),
      /** Permissions boundary (managed policy ARN, or name in this account) set on every IAM role the stack creates. @default none */
      permissionsBoundary: z
        .string()
        .regex(/^(arn:aws[a-z-]*:iam::\d{12}:policy\/[\w+=,.@\/-]{1,128}|[\w+=,.@-]{1,128})$/, 'aws.permissionsBoundary: a managed policy ARN (arn:aws:iam::<account>:policy/<name>) or a policy name')
        .optional(),
      /** Qualifier of a custom `cdk bootstrap --qualifier` (the bootstrap roles and bucket it names). @default CDK's 'hnb659fds' */
      bootstrapQualifier: z
        .string()
        .regex(/^[a-z0-9]{1,10}$/, 'aws.bootstrapQualifier: 1 to 10 lower-case letters and digits, as passed to cdk bootstrap --qualifier')
        .optional(),
      /**
       * One Athena workgroup per analyst team, each with its own result prefix (`athena-results/<team>/`) and its own
       * managed policy (output `AnalystPolicyArn<Team>`): one team cannot read another's query results. @default none (one shared workgroup)
       */
      analystWorkGroups: z
        .array(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'aws.analystWorkGroups: lower-case letters, digits and dashes, at most 32, starting with a letter'))
        .max(20)
        .refine((a) => new Set(a).size === a.length, 'aws.analystWorkGroups: a team is listed twice')
        .optional(),
    })
    .prefault({}),
});
/** The deployment config, read and checked (functions/index.ts `ConfigSchema`). */
export type Config = z.infer<typeof configFields> & { organizations: { id: string; units: Omit<Unit, 'org'>[] }[] };

/** The Glue database: `aws.glueDatabase`, else `atlassian_access` for the default stack, else derived from the stack name. */
export function glueDatabaseName(config: Pick<Config, 'aws'>): string {
  if (config.aws.glueDatabase) return config.aws.glueDatabase;
  if (config.aws.stackName === DEFAULT_STACK_NAME) return 'atlassian_access';
  return config.aws.stackName.toLowerCase().replace(/-/g, '_');
}

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
