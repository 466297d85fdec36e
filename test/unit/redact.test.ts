import { describe, expect, it } from 'vitest';
import { jsonLogger, Redactor } from '../../shared/redact.ts';
import { registerSecrets } from '../../shared/http/auth.ts';

describe('redaction', () => {
  it('removes registered tokens and their Basic form from any text', () => {
    const r = new Redactor();
    registerSecrets({ kind: 'basic', email: 'a@b.co', apiToken: 'ATATT3xFfGF0-secret-value', source: 'env' }, r);
    const basic = Buffer.from('a@b.co:ATATT3xFfGF0-secret-value').toString('base64');
    const out = r.redact(`token ATATT3xFfGF0-secret-value and header ${basic}`);
    expect(out).not.toContain('ATATT3xFfGF0-secret-value');
    expect(out).not.toContain(basic);
  });

  it('removes Authorization header values it was never told about', () => {
    const out = new Redactor().redact('{"authorization":"Bearer abc.def.ghi","x":1} Authorization: Basic Zm9vOmJhcg==');
    expect(out).toBe('{"authorization":"Bearer [REDACTED]","x":1} Authorization: Basic [REDACTED]');
  });

  it('logs JSON lines with secrets redacted', () => {
    const lines: string[] = [];
    const r = new Redactor();
    r.add('super-secret-token');
    jsonLogger(r, (l) => lines.push(l)).warn('retrying', { detail: 'sent super-secret-token' });
    expect(lines).toEqual(['{"level":"warn","msg":"retrying","detail":"sent [REDACTED]"}']);
  });
});
