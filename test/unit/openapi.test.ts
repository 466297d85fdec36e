import { describe, expect, it } from 'vitest';
import type { RecordedResponse } from '../../simulator/server.ts';
import { SKIPPED_NO_SPECS, SpecValidator, specsPresent, toJsonSchema } from '../support/openapi.ts';

const answer = (r: Partial<RecordedResponse>): RecordedResponse => ({ product: 'jira', method: 'GET', path: '/', query: '', route: null, status: 200, body: null, ...r });

describe('OpenAPI 3.0 to JSON Schema', () => {
  it('nullable becomes a null type, in the enum too, and around a $ref', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(toJsonSchema({ $ref: '#/components/schemas/X', nullable: true })).toEqual({ anyOf: [{ $ref: '#/components/schemas/X' }, { type: 'null' }] });
  });

  it('draft-4 boolean exclusive bounds become numbers; discriminator, examples and x- keywords go', () => {
    expect(toJsonSchema({ type: 'integer', minimum: 0, exclusiveMinimum: true, discriminator: { propertyName: 't' }, example: 1, 'x-experimental': true })).toEqual({ type: 'integer', exclusiveMinimum: 0 });
  });
});

describe.skipIf(!specsPresent())(`answers against the published specs (${specsPresent() ? 'specs found' : SKIPPED_NO_SPECS})`, () => {
  const v = new SpecValidator();

  it('a Jira user list in the documented shape is valid', () => {
    const body = [{ accountId: '5b10a2844c20165700ede21g', accountType: 'atlassian', active: true, displayName: 'Mia', self: 'https://x.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g' }];
    expect(v.check(answer({ path: '/rest/api/3/users/search', body })).kind).toBe('valid');
  });

  it('a wrong type is a violation that names the operation and the place', () => {
    const verdict = v.check(answer({ path: '/rest/api/3/users/search', body: [{ accountId: 42 }] }));
    expect(verdict).toMatchObject({ kind: 'violation', operation: expect.stringContaining('GET /rest/api/3/users/search (The Jira Cloud platform REST API, getAllUsers)') as unknown });
    expect(verdict.kind === 'violation' ? verdict.errors : []).toContain('/0/accountId must be string {"type":"string"}');
  });

  it("finds operations below each spec's server base path (/wiki/api/v2, /2.0, /admin)", () => {
    expect(v.check(answer({ product: 'confluence', path: '/wiki/api/v2/spaces', body: { results: 'no' } }))).toMatchObject({ kind: 'violation', operation: expect.stringContaining('GET /wiki/api/v2/spaces') as unknown });
    expect(v.check(answer({ product: 'bitbucket', path: '/2.0/workspaces/acme/members', body: { values: 'no' } }))).toMatchObject({ kind: 'violation', operation: expect.stringContaining('GET /2.0/workspaces/{workspace}/members') as unknown });
    expect(v.check(answer({ product: 'admin', path: '/admin/v1/orgs', body: { data: 'no' } }))).toMatchObject({ kind: 'violation', operation: expect.stringContaining('GET /admin/v1/orgs') as unknown });
  });

  it('an answer with no operation, no spec or no schema for its status is counted as such, not passed', () => {
    expect(v.check(answer({ path: '/rest/plugins/1.0/' })).kind).toBe('no-operation');
    expect(v.check(answer({ product: 'trello', path: '/1/members/me' })).kind).toBe('no-spec');
    expect(v.check(answer({ path: '/rest/api/3/myself', status: 401, body: { errorMessages: [] } })).kind).toBe('no-schema');
  });
});
