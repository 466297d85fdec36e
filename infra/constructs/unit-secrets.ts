import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { unitId, type AuthConfig, type Unit } from '../../shared/config.ts';
import { ConfigError } from '../../shared/errors.ts';
import { keyViaService } from './encryption-key.ts';

/** How the stack gets the units' secrets. */
export type SecretsMode = 'create' | 'existing';

export interface UnitSecretsProps {
  /** The units to collect; each must name its secret (`auth.secretName`). */
  readonly units: readonly Unit[];
  /**
   * `create`: one secret per distinct secret name, with a generated placeholder to replace;
   * `existing`: the secrets exist, the stack only references them. @default 'create'
   */
  readonly mode?: SecretsMode;
  /** What happens to created secrets when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Customer-managed key: created secrets are encrypted with it, and the reader may decrypt with it through
   * Secrets Manager (for `existing` secrets too: encrypt them with this key). @default the AWS-managed aws/secretsmanager key
   */
  readonly encryptionKey?: kms.IKey;
}

type Kind = AuthConfig['kind'];

/** One secret and the units that read it. */
export interface UnitSecret {
  readonly name: string;
  readonly kind: Kind;
  readonly secret: secretsmanager.ISecret;
  readonly units: readonly string[];
}

/** The JSON a secret must hold, per auth kind (also in the README and the secret's description). */
export const SECRET_SHAPES: Readonly<Record<Kind, string>> = {
  basic: '{"email": "<Atlassian account e-mail>", "apiToken": "<API token>"}',
  bearer: '{"token": "<org admin API key, OAuth access token or PAT>"}',
  oauth2: '{"clientId": "...", "clientSecret": "...", "refreshToken": "..."}',
  'client-credentials': '{"clientId": "...", "clientSecret": "..."}',
  'genie-key': '{"apiKey": "<Opsgenie API key>"}',
  trello: '{"apiKey": "<Trello API key>", "token": "<Trello token>"}',
};

/** Placeholder of a created secret: the documented shape, the secret field random, the others obviously fake. */
const PLACEHOLDERS: Readonly<Record<Kind, { template: Record<string, string>; key: string }>> = {
  basic: { template: { email: 'replace-me@example.com' }, key: 'apiToken' },
  bearer: { template: {}, key: 'token' },
  oauth2: { template: { clientId: 'replace-me', clientSecret: 'replace-me' }, key: 'refreshToken' },
  'client-credentials': { template: { clientId: 'replace-me' }, key: 'clientSecret' },
  'genie-key': { template: {}, key: 'apiKey' },
  trello: { template: { apiKey: 'replace-me' }, key: 'token' },
};

/**
 * The Atlassian credentials, one Secrets Manager secret per distinct `auth.secretName`. Created secrets
 * hold a random placeholder (so a forgotten secret fails with a clear 401, never with someone else's
 * token); CloudFormation never overwrites the value you put in afterwards.
 */
export class UnitSecrets extends Construct {
  readonly secrets: readonly UnitSecret[];
  private readonly encryptionKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: UnitSecretsProps) {
    super(scope, id);
    const mode = props.mode ?? 'create';
    this.encryptionKey = props.encryptionKey;
    if (props.units.length === 0) throw new ConfigError('UnitSecretsProps.units must list at least one unit');
    const byName = new Map<string, { kind: Kind; units: string[] }>();
    for (const u of props.units) {
      const name = u.auth.secretName;
      if (!name) throw new ConfigError(`UnitSecretsProps.units: unit ${unitId(u)} has no auth.secretName`);
      const entry = byName.get(name);
      if (entry && entry.kind !== u.auth.kind) {
        throw new ConfigError(`UnitSecretsProps.units: secret '${name}' is used with auth kinds '${entry.kind}' and '${u.auth.kind}'; give each kind its own secret.`);
      }
      if (entry) entry.units.push(unitId(u));
      else byName.set(name, { kind: u.auth.kind, units: [unitId(u)] });
    }
    const out: UnitSecret[] = [];
    let i = 0;
    for (const [name, { kind, units }] of byName) {
      const cid = `Secret${i++}`;
      const secret =
        mode === 'existing'
          ? secretsmanager.Secret.fromSecretNameV2(this, cid, name)
          : this.createSecret(cid, name, kind, units, props.removalPolicy ?? RemovalPolicy.RETAIN);
      out.push({ name, kind, secret, units });
    }
    this.secrets = out;
  }

  private createSecret(id: string, name: string, kind: Kind, units: readonly string[], removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const placeholder = PLACEHOLDERS[kind];
    const secret = new secretsmanager.Secret(this, id, {
      secretName: name,
      ...(this.encryptionKey ? { encryptionKey: this.encryptionKey } : {}),
      description: `Atlassian credentials of ${units.join(', ')} (atlassian-access-collector). Replace the placeholder with JSON ${SECRET_SHAPES[kind]}.`.slice(0, 2048),
      generateSecretString: {
        secretStringTemplate: JSON.stringify(placeholder.template),
        generateStringKey: placeholder.key,
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Atlassian API tokens and OAuth credentials are issued by Atlassian and cannot be rotated by a Lambda; the README says to re-issue them yearly (API tokens expire after at most one year).',
    });
    return secret;
  }

  /**
   * Read access to every unit secret, by ARN (no wildcard beyond the 6-character suffix Secrets Manager
   * appends), and PutSecretValue on the OAuth 2.0 ones only: the collector stores the rotated refresh
   * token back, since Atlassian invalidates the old one.
   */
  grantRead(grantee: iam.IGrantable): void {
    // A created secret's grantRead also grants kms:Decrypt via Secrets Manager on its key; a referenced one's cannot know its key.
    for (const s of this.secrets) s.secret.grantRead(grantee);
    const key = this.encryptionKey;
    if (key && this.secrets.some((s) => !(s.secret instanceof secretsmanager.Secret))) {
      grantee.grantPrincipal.addToPrincipalPolicy(keyViaService(key, 'secretsmanager', ['kms:Decrypt']));
    }
    const rotating = this.secrets.filter((s) => s.kind === 'oauth2');
    if (rotating.length) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: rotating.map((s) => this.arnForPolicies(s)) }),
      );
      // PutSecretValue encrypts the new version with the secret's key ("Secret encryption and decryption in AWS Secrets Manager").
      if (key) grantee.grantPrincipal.addToPrincipalPolicy(keyViaService(key, 'secretsmanager', ['kms:GenerateDataKey']));
    }
  }

  private arnForPolicies(s: UnitSecret): string {
    return s.secret instanceof secretsmanager.Secret
      ? s.secret.secretArn
      : Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${s.name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }
}
