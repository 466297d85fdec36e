import { describe, expect, it } from 'vitest';
import { trello, trelloStreams } from '../../functions/trello.ts';
import { trelloTables } from '../../functions/trello.tables.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const all = trelloStreams();

const stream = (name: string, roots: readonly Stream[] = all) => findStream(roots, name);
function read(name: string, body: unknown, parent: unknown = null) {
  const page = readPage(stream(name), body, { parent, check: { tables: trelloTables, site: 'api.trello.com' } });
  return { ...page, request: page.style.request(null) };
}

describe('Trello payload normalization', () => {
  it('workspaces: permission level, board visibility restriction, enterprise; unicode display names', () => {
    const { rows, next, request } = read('workspaces', [
      { id: 'o1', name: 'acmeeng', displayName: 'Acme Ünïcode 🚀', prefs: { permissionLevel: 'private', boardVisibilityRestrict: { private: 'admin' } }, idEnterprise: 'e1' },
      { id: 'o2', name: 'bare', idEnterprise: null },
    ]);
    expect(rows).toEqual([
      { table: 'trello_workspaces', organization_id: 'o1', name: 'acmeeng', display_name: 'Acme Ünïcode 🚀', permission_level: 'private', board_visibility_restrict_private: 'admin', enterprise_id: 'e1' },
      { table: 'trello_workspaces', organization_id: 'o2', name: 'bare', display_name: null, permission_level: null, board_visibility_restrict_private: null, enterprise_id: null },
    ]);
    expect(next).toBeNull();
    expect(request.path).toBe('/1/members/me/organizations');
  });

  it('workspace memberships keep deactivated and unconfirmed members and ask for all of them', () => {
    const parent = { o: 'o1' };
    const { rows, request } = read(
      'workspace_members',
      [
        { id: 'm1', idMember: 'u1', memberType: 'admin', unconfirmed: false, deactivated: false, member: { id: 'u1', username: 'zoe', fullName: 'Zoë Ångström' } },
        { id: 'm2', idMember: 'u2', memberType: 'normal', unconfirmed: true, deactivated: true },
      ],
      parent,
    );
    expect(rows).toEqual([
      { table: 'trello_workspace_members', organization_id: 'o1', member_id: 'u1', username: 'zoe', full_name: 'Zoë Ångström', member_type: 'admin', deactivated: false, unconfirmed: false },
      { table: 'trello_workspace_members', organization_id: 'o1', member_id: 'u2', username: null, full_name: null, member_type: 'normal', deactivated: true, unconfirmed: true },
    ]);
    expect(request.query).toMatchObject({ filter: 'all', member: 'true' });
    expect(stream('workspace_members').notFound).toBe('skip-parent');
  });

  it('boards: visibility and closed; children keyed by board; board members with observer type', () => {
    const { rows, stream: s, items } = read('boards', [{ id: 'b1', name: 'ロードマップ', closed: true, idOrganization: 'o1', prefs: { permissionLevel: 'enterprise' } }], { o: 'o1' });
    expect(rows).toEqual([{ table: 'trello_boards', board_id: 'b1', organization_id: 'o1', name: 'ロードマップ', permission_level: 'enterprise', closed: true }]);
    expect(s.childKey(items[0], { o: 'o1' })).toEqual({ o: 'o1', b: 'b1' });
    const members = read('board_members', [{ id: 'x', idMember: 'u9', memberType: 'observer', member: { id: 'u9', username: 'guest', fullName: 'Guest 👋' } }], { o: 'o1', b: 'b1' });
    expect(members.rows).toEqual([{ table: 'trello_board_members', board_id: 'b1', organization_id: 'o1', member_id: 'u9', username: 'guest', full_name: 'Guest 👋', member_type: 'observer', deactivated: null, unconfirmed: null }]);
    expect(stream('board_members').notFound).toBe('skip-parent');
  });

  it('enterprise admins are read only for the enterprises the member administers', () => {
    const me = read('me', { id: 'u0', idEnterprisesAdmin: ['e1', 'e2'] });
    expect(me.items).toEqual([{ e: 'e1' }, { e: 'e2' }]);
    expect(me.rows).toEqual([]);
    expect(read('me', { id: 'u0' }).items).toEqual([]);
    const admins = read('enterprise_admins', [{ id: 'u1', username: 'boss', fullName: 'Boss' }], { e: 'e1' });
    expect(admins.rows).toEqual([{ table: 'trello_enterprise_admins', enterprise_id: 'e1', member_id: 'u1', username: 'boss', full_name: 'Boss' }]);
  });

  it('the web host trello.com maps to the API host', () => {
    expect(trello.baseUrl?.({ org: 'acme', product: 'trello', siteUrl: 'https://trello.com', auth: { kind: 'trello' } })).toBe('https://api.trello.com');
    expect(trello.baseUrl?.({ org: 'acme', product: 'trello', siteUrl: 'http://127.0.0.1:9', auth: { kind: 'trello' } })).toBe('http://127.0.0.1:9');
  });

  it('an unexpected payload fails with a PayloadError', () => {
    expect(() => read('workspaces', { organizations: [] })).toThrow(PayloadError);
    expect(() => read('board_members', [{ idMember: 'u' }], { o: 'o', b: 'b' })).toThrow(/memberType/);
  });
});
