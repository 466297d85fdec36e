import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.ts';
import { parseConfig } from '../../functions/config.ts';

const unit = { product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic' } };

describe('the config file', () => {
  it('rejects a misspelt unit key, naming it, its path and the nearest valid key', () => {
    // Prepare: `sietUrl` beside a valid unit would otherwise be dropped silently.
    const config = { organizations: [{ id: 'acme', units: [{ ...unit, sietUrl: 'https://x.atlassian.net' }] }] };
    // Act
    const err = (() => {
      try {
        parseConfig(config, 'my.json');
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("my.json: organizations.0.units.0.sietUrl: unknown key 'sietUrl' (did you mean 'siteUrl'?)");
  });

  it('rejects an unknown key inside auth of the kind given', () => {
    const config = { organizations: [{ id: 'acme', units: [{ ...unit, auth: { kind: 'basic', secretname: 'x' } }] }] };
    expect(() => parseConfig(config)).toThrow(/organizations\.0\.units\.0\.auth\.secretname: unknown key 'secretname' \(did you mean 'secretName'\?\)/);
  });

  it('rejects an unknown top-level key and lists the valid ones', () => {
    expect(() => parseConfig({ organizations: [{ id: 'acme', units: [unit] }], retention: 30 })).toThrow(/retention: unknown key 'retention' \(did you mean 'retentionDays'\?\); valid keys here: organizations, schedule/);
  });

  it('accepts the example config with every key it documents', () => {
    const config = { organizations: [{ id: 'acme', units: [{ ...unit, assets: { objectTypes: ['Laptops'] } }] }], aws: { stackName: 'x', secrets: 'existing' } };
    expect(parseConfig(config).organizations[0]?.units).toHaveLength(1);
  });
});
