import { describe, expect, it } from 'vitest';
import { jsmOpsStreams } from '../../functions/jsm-ops.ts';
import { jsmOpsTables } from '../../functions/jsm-ops.tables.ts';
import type { Stream } from '../../shared/engine/streams.ts';
import { PayloadError } from '../../shared/errors.ts';
import { findStream, readPage } from '../support/streams.ts';

const all = jsmOpsStreams({ orgId: 'org-1', siteUrl: 'https://acme.atlassian.net' });

const stream = (name: string, roots: readonly Stream[] = all) => findStream(roots, name);
const read = (name: string, body: unknown, parent: unknown = null) => readPage(stream(name), body, { parent, check: { tables: jsmOpsTables, site: 'acme.atlassian.net' } });

describe('JSM operations payload normalization', () => {
  it('integrations: name, type, enabled and owner team; a key in the payload never reaches a row', () => {
    const { rows, next } = read('integrations', {
      values: [
        { id: 'i-1', name: 'Prometheus — prod ☁️', type: 'Prometheus', enabled: true, teamId: 't-1', apiKey: 'secret-integration-key-1' },
        { id: 'i-2', name: 'Global API', type: 'API', enabled: false },
      ],
      links: { next: '/v1/integrations?offset=2&size=2' },
    });
    expect(rows).toEqual([
      { table: 'jsm_ops_integrations', source: 'jsm-ops', integration_id: 'i-1', name: 'Prometheus — prod ☁️', type: 'Prometheus', enabled: true, owner_team_id: 't-1' },
      { table: 'jsm_ops_integrations', source: 'jsm-ops', integration_id: 'i-2', name: 'Global API', type: 'API', enabled: false, owner_team_id: null },
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret-integration-key-1');
    expect(next).toEqual({ startAt: 2 });
  });

  it('a page without links.next ends the list', () => {
    expect(read('integrations', { values: [{ id: 'i-3', name: 'Last' }], links: {} }).next).toBeNull();
  });

  it('team roles: rights split into granted and disallowed', () => {
    const { rows } = read(
      'team_roles',
      { values: [{ id: 'r-1', name: 'teamRole1', rights: [{ right: 'edit-schedules', granted: true }, { right: 'delete-team-roles', granted: false }] }] },
      { t: 't-1', n: 'SRE' },
    );
    expect(rows).toEqual([
      { table: 'jsm_ops_team_roles', source: 'jsm-ops', team_id: 't-1', role_id: 'r-1', name: 'teamRole1', granted_rights: ['edit-schedules'], disallowed_rights: ['delete-team-roles'] },
    ]);
  });

  it('schedules: participants in rotation order, an empty slot has no id, the owner team is the id only', () => {
    const { rows } = read('schedules', {
      values: [
        {
          id: 's-1',
          name: 'Rufbereitschaft — 週末',
          timezone: 'Asia/Tokyo',
          enabled: true,
          teamId: 't-1',
          rotations: [{ id: 'rot-1', name: 'Daily', type: 'daily', participants: [{ type: 'user', id: '712020:a' }, { type: 'none' }, { type: 'user', id: '712020:a' }] }],
        },
      ],
    });
    expect(rows.map((r) => [r.table, r.position ?? null, r.participant_type ?? null, r.participant_id ?? null])).toEqual([
      ['jsm_ops_schedules', null, null, null],
      ['jsm_ops_schedule_participants', 0, 'user', '712020:a'],
      ['jsm_ops_schedule_participants', 1, 'none', null],
      ['jsm_ops_schedule_participants', 2, 'user', '712020:a'],
    ]);
    expect(rows[0]).toMatchObject({ owner_team_id: 't-1', owner_team_name: null, description: null });
  });

  it('escalations: one row per rule with its delay; an escalation without rules has no recipient row', () => {
    const { rows } = read(
      'escalations',
      {
        values: [
          { id: 'e-1', name: 'Night', enabled: true, rules: [{ condition: 'if-not-acked', notifyType: 'default', delay: 5, recipient: { id: 't-2', type: 'team' } }] },
          { id: 'e-2', name: 'Empty', enabled: false, rules: [] },
        ],
      },
      { t: 't-1', n: 'SRE' },
    );
    expect(rows.map((r) => r.table)).toEqual(['jsm_ops_escalations', 'jsm_ops_escalation_recipients', 'jsm_ops_escalations']);
    expect(rows[1]).toMatchObject({ escalation_id: 'e-1', rule_index: 0, delay_minutes: 5, recipient_type: 'team', recipient_id: 't-2' });
  });

  it('team members: the next cursor is endCursor only while hasNextPage is true', () => {
    const page = (hasNextPage: boolean) => ({ results: [{ accountId: '712020:a' }], pageInfo: { endCursor: 'c2', hasNextPage } });
    expect(read('team_members', page(true), { t: 't-1', n: 'SRE' }).next).toBe('c2');
    const last = read('team_members', page(false), { t: 't-1', n: 'SRE' });
    expect(last.next).toBeNull();
    expect(last.rows).toEqual([{ table: 'jsm_ops_team_members', source: 'jsm-ops', team_id: 't-1', team_name: 'SRE', user_id: '712020:a', username: null, role: null }]);
  });

  it('a payload without values fails with a PayloadError naming the field', () => {
    expect(() => read('schedules', { data: [] })).toThrow(PayloadError);
    expect(() => read('schedules', { data: [] })).toThrow(/'values'/);
  });
});
