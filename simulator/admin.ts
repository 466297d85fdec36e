/**
 * Simulated Atlassian organization (Admin API): a seeded model (the organization, directories, domains,
 * workspaces, policies, groups, users with product access and group memberships, API tokens of managed
 * accounts), the routes that serve it, the ground truth a perfect collector must produce, and the minimum
 * number of requests such a collector needs.
 *
 * Authority: Atlassian's published OpenAPI spec of the Admin organizations API, admin-organizations.json (server https://api.atlassian.com/admin,
 * so its paths are served under `/admin`; pointers below are relative to `admin-organizations.json#/paths/`),
 * admin-user-management.json (server https://api.atlassian.com) and the facts sheet README (§3 styles A1/A2,
 * §7, §9, §10 Q4/Q7). Auth: the org admin API key as Bearer only.
 *
 * Memory: users are a few bytes each in typed arrays, strings derived on demand from (seed, index);
 * memberships are one sorted Int32Array per group plus a per-user index; JSON is built per request.
 */
// The tenant is in simulator/admin/: model.ts (its data and generator), routes.ts (the route table), truth.ts
// (ground truth and minimum requests) and index.ts (the tenant put together). This file is the entry point.
export * from './admin/index.ts';
