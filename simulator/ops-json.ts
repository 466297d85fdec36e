/**
 * The JSON shapes Opsgenie's REST API v2 and its successor, the Jira Service Management operations REST API,
 * share (custom user roles, schedules and their rotations): one writer serves both simulators.
 * Authority: https://docs.opsgenie.com/docs/custom-user-role-api and /docs/schedule-api; Atlassian's "Jira
 * Service Management ops / REST API" pages for custom user roles and schedules.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A custom user role: empty right lists are left out. */
export function customRoleJson(r: { id: string; name: string; extendedRole: string; grantedRights: string[]; disallowedRights: string[] }): Json {
  return {
    id: r.id,
    name: r.name,
    extendedRole: r.extendedRole,
    ...(r.grantedRights.length ? { grantedRights: r.grantedRights } : {}),
    ...(r.disallowedRights.length ? { disallowedRights: r.disallowedRights } : {}),
  };
}

/**
 * A schedule: `owner` (the owning team's fields, may be empty) and, with `expand=rotation`, its rotations, each
 * with the participants `participant` writes.
 */
export function scheduleJson<P>(
  s: { id: string; name: string; description: string | null; timezone: string; enabled: boolean; rotations: { id: string; name: string; type: string; participants: P[] }[] },
  owner: Record<string, Json>,
  expand: boolean,
  participant: (p: P) => Json,
): Json {
  return {
    id: s.id,
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    timezone: s.timezone,
    enabled: s.enabled,
    ...owner,
    ...(expand
      ? {
          rotations: s.rotations.map((r) => ({
            id: r.id,
            name: r.name,
            startDate: '2026-01-05T09:00:00Z',
            type: r.type,
            length: 1,
            participants: r.participants.map(participant),
          })),
        }
      : {}),
  };
}
