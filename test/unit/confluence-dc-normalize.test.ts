import { describe, expect, it } from 'vitest';
import { DcPerson, DcSpacePermission, confluenceDcStreams, dcAccountStatus, dcPermissionId } from '../../functions/confluence-dc.ts';

describe('Confluence Data Center normalization', () => {
  it('parses a DC Person (userKey, username; no accountId) and treats a blank e-mail as hidden', () => {
    const p = DcPerson.parse({ type: 'known', username: 'jdoe', userKey: '4028800d98315ec60198315f45c00000', displayName: 'Zoë', email: '', status: 'deactivated' });
    expect(p).toMatchObject({ userKey: '4028800d98315ec60198315f45c00000', email: null, displayName: 'Zoë' });
    expect(() => DcPerson.parse({ type: 'anonymous', displayName: 'Anonymous' })).toThrow();
  });

  it('maps DC user states onto account_status, unknown when not given', () => {
    expect(dcAccountStatus('active')).toBe('active');
    expect(dcAccountStatus('deactivated')).toBe('inactive');
    expect(dcAccountStatus('shadowed')).toBe('unknown');
    expect(dcAccountStatus(undefined)).toBeNull();
  });

  it('derives a permission_id unique per (principal, operation, target) from the CONFSERVER-100505 shape', () => {
    const user = DcSpacePermission.parse({ operation: { targetType: 'space', operationKey: 'read' }, subject: { type: 'user', userKey: 'abc' }, spaceKey: 'PROJ', spaceId: 131083 });
    const group = DcSpacePermission.parse({ operation: { targetType: 'space', operationKey: 'read' }, subject: { type: 'group', name: 'confluence-users' }, spaceKey: 'PROJ', spaceId: 131083 });
    expect(dcPermissionId(user)).toBe('user:abc:read:space');
    expect(dcPermissionId(group)).toBe('group:confluence-users:read:space');
    expect(dcPermissionId({ ...group, subject: null })).toBe('anonymous::read:space');
  });

  it('treats an anonymous current user (PAT not applied) as a rejected credential', () => {
    const style = confluenceDcStreams()[0]?.style(null);
    const res = (body: unknown) => ({ status: 200, body, headers: {} });
    expect(() => style?.read(res({ type: 'anonymous', displayName: 'Anonymous' }), null, 'GET /confluence/rest/api/user/current')).toThrow(/anonymous user.*not accepted/);
    expect(style?.read(res({ type: 'known', userKey: 'abc', username: 'u' }), null, 'GET /x').items).toEqual([{ userKey: 'abc' }]);
  });

  it('checks the credential first and lists current and archived spaces separately', () => {
    expect(confluenceDcStreams().map((s) => s.name)).toEqual(['current_user', 'users', 'groups', 'spaces_current', 'spaces_archived']);
  });
});
