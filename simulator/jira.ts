/**
 * Simulated Jira Cloud tenant: a seeded model (users, groups, memberships, application roles,
 * projects, project roles and actors, permission schemes, application properties), the REST routes
 * that serve it, the ground truth a perfect collector must produce, and the minimum number of
 * requests such a collector needs.
 *
 * Authority: Atlassian's published Jira Cloud platform REST API v3 OpenAPI spec (jira-platform-v3.json) (pointers below are relative to
 * `jira-platform-v3.json#/paths/`) and the facts sheet README (§3 paging styles, §4 endpoints,
 * §10 quirks).
 *
 * Memory: users are two bytes each plus strings derived on demand from (seed, index); memberships
 * are one sorted Int32Array of user indexes per group; JSON is built per request.
 */
// The tenant is in simulator/jira/: model.ts (its data and generator), routes.ts (the route table), truth.ts
// (ground truth and minimum requests) and index.ts (the tenant put together). This file is the entry point.
export * from './jira/index.ts';
