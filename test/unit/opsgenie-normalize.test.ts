import { describe, expect, it } from 'vitest';
import { opsgenieStreams } from '../../functions/opsgenie.ts';
import { opsgenieTables } from '../../functions/opsgenie.tables.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const all = opsgenieStreams();

const stream = (name: string, roots: readonly Stream[] = all) => findStream(roots, name);
const read = (name: string, body: unknown, parent: unknown = null, cursor: unknown = null) =>
  readPage(stream(name), body, { parent, cursor, check: { tables: opsgenieTables, site: 'api.opsgenie.com' } });

describe('Opsgenie payload normalization', () => {
  it('users: roles, blocked/unverified accounts, unicode, missing optional fields; next offset from items received', () => {
    const { rows, next } = read('users', {
      data: [
        {
          blocked: true,
          verified: false,
          id: 'u-1',
          username: 'zoe@acme.example',
          fullName: 'Zoë Ångström 山田 🚀',
          role: { id: 'r-custom', name: 'Équipe d’astreinte' },
          timeZone: 'Europe/Berlin',
          locale: 'de_DE',
          createdAt: '2017-05-12T08:34:05.064Z',
        },
        // No role, no timeZone, an unreadable date: nulls, not a failure.
        { id: 'u-2', username: 'bare@acme.example', createdAt: 'yesterday' },
      ],
      paging: { next: 'https://api.opsgenie.com/v2/users?limit=100&offset=2', first: 'x', last: 'y' },
      totalCount: 5,
      took: 0.1,
      requestId: 'r',
    });
    expect(rows).toEqual([
      {
        table: 'opsgenie_users',
        user_id: 'u-1',
        username: 'zoe@acme.example',
        full_name: 'Zoë Ångström 山田 🚀',
        role_id: 'r-custom',
        role_name: 'Équipe d’astreinte',
        blocked: true,
        verified: false,
        time_zone: 'Europe/Berlin',
        locale: 'de_DE',
        created_at: '2017-05-12T08:34:05.064Z',
      },
      { table: 'opsgenie_users', user_id: 'u-2', username: 'bare@acme.example', full_name: null, role_id: null, role_name: null, blocked: null, verified: null, time_zone: null, locale: null, created_at: null },
    ]);
    expect(next).toEqual({ startAt: 2 });
  });

  it('users: the end is a page without paging.next, and an empty page', () => {
    expect(read('users', { data: [{ id: 'u', username: 'a@b.c' }], paging: { first: 'x', last: 'x' } }, null, { startAt: 200 }).next).toBeNull();
    expect(read('users', { data: [{ id: 'u', username: 'a@b.c' }] }).next).toBeNull();
    expect(read('users', { data: [], paging: { next: 'x' } }).next).toBeNull();
  });

  it('team members come from Get Team; a team without a members field has none', () => {
    const parent = { t: 'team-1', n: 'Données' };
    const { rows } = read(
      'team_members',
      { data: { id: 'team-1', name: 'Données', members: [{ user: { id: 'u-1', username: 'a@acme.example' }, role: 'admin' }, { user: { id: 'u-2' }, role: 'Responder 🚨' }] } },
      parent,
    );
    expect(rows).toEqual([
      { table: 'opsgenie_team_members', team_id: 'team-1', team_name: 'Données', user_id: 'u-1', username: 'a@acme.example', role: 'admin' },
      { table: 'opsgenie_team_members', team_id: 'team-1', team_name: 'Données', user_id: 'u-2', username: null, role: 'Responder 🚨' },
    ]);
    expect(read('team_members', { data: { id: 'team-0', name: 'Empty' } }, parent).rows).toEqual([]);
    expect(stream('team_members').notFound).toBe('skip-parent');
  });

  it('custom roles: absent right lists are empty arrays', () => {
    const { rows } = read('custom_roles', { data: [{ id: 'r1', name: 'Finance', extendedRole: 'user', grantedRights: ['alert-create'], disallowedRights: ['alert-delete'] }, { id: 'r2', name: 'Plain' }] });
    expect(rows).toEqual([
      { table: 'opsgenie_custom_roles', role_id: 'r1', name: 'Finance', extended_role: 'user', granted_rights: ['alert-create'], disallowed_rights: ['alert-delete'] },
      { table: 'opsgenie_custom_roles', role_id: 'r2', name: 'Plain', extended_role: null, granted_rights: [], disallowed_rights: [] },
    ]);
  });

  it('schedules: one row per schedule and one per rotation slot, including none and repeated participants', () => {
    const { rows } = read('schedules', {
      data: [
        {
          id: 's1',
          name: 'Rufbereitschaft — 週末',
          timezone: 'Asia/Tokyo',
          enabled: true,
          ownerTeam: { id: 't1', name: 'SRE' },
          rotations: [
            {
              id: 'rot1',
              name: 'Weekdays',
              type: 'weekly',
              participants: [
                { type: 'user', id: 'u1', username: 'a@acme.example' },
                { type: 'none' },
                { type: 'team', id: 't2', name: 'Web' },
                { type: 'escalation', id: 'e1', name: 'Night' },
                { type: 'user', id: 'u1', username: 'a@acme.example' },
              ],
            },
            { id: 'rot2', name: 'Empty', type: 'daily', participants: [] },
          ],
        },
        { id: 's2', name: 'Global' },
      ],
    });
    expect(rows.filter((r) => r.table === 'opsgenie_schedules')).toEqual([
      { table: 'opsgenie_schedules', schedule_id: 's1', name: 'Rufbereitschaft — 週末', description: null, enabled: true, timezone: 'Asia/Tokyo', owner_team_id: 't1', owner_team_name: 'SRE' },
      { table: 'opsgenie_schedules', schedule_id: 's2', name: 'Global', description: null, enabled: null, timezone: null, owner_team_id: null, owner_team_name: null },
    ]);
    const p = rows.filter((r) => r.table === 'opsgenie_schedule_participants');
    expect(p.map((r) => [r.position, r.participant_type, r.participant_id, r.participant_name])).toEqual([
      [0, 'user', 'u1', 'a@acme.example'],
      [1, 'none', null, null],
      [2, 'team', 't2', 'Web'],
      [3, 'escalation', 'e1', 'Night'],
      [4, 'user', 'u1', 'a@acme.example'],
    ]);
  });

  it('escalations: rule delays become minutes; recipients keep type and id', () => {
    const { rows } = read('escalations', {
      data: [
        {
          id: 'e1',
          name: 'Eskalation',
          rules: [
            { condition: 'if-not-acked', notifyType: 'default', delay: { timeAmount: 5 }, recipient: { type: 'schedule', id: 's1', name: 'Primary' } },
            { condition: 'if-not-closed', notifyType: 'all', delay: { timeAmount: 2, timeUnit: 'hours' }, recipient: { type: 'team', id: 't1', name: 'SRE' } },
            { condition: 'if-not-acked', notifyType: 'next', delay: { timeAmount: 1, timeUnit: 'days' }, recipient: { type: 'user', id: 'u1', username: 'a@acme.example' } },
          ],
        },
      ],
    });
    expect(rows.filter((r) => r.table === 'opsgenie_escalation_recipients').map((r) => [r.rule_index, r.delay_minutes, r.recipient_type, r.recipient_id, r.recipient_name])).toEqual([
      [0, 5, 'schedule', 's1', 'Primary'],
      [1, 120, 'team', 't1', 'SRE'],
      [2, 1440, 'user', 'u1', 'a@acme.example'],
    ]);
  });

  it('an unexpected payload fails with a PayloadError naming the field', () => {
    expect(() => read('users', { data: [{ id: 'u', username: 42 }] })).toThrow(PayloadError);
    expect(() => read('teams', { teams: [] })).toThrow(/data/);
  });
});
