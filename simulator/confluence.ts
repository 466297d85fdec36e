/**
 * Simulated Confluence Cloud tenant: a seeded model (users, groups and memberships, spaces with their
 * permission assignments, space roles and role assignments in the site's space-role mode, audit retention,
 * system info), the REST routes that serve it (v2 `/wiki/api/v2`, v1 `/wiki/rest/api`), the ground truth a
 * perfect collector must produce, and the minimum number of requests such a collector needs.
 *
 * Authority: Atlassian's published Confluence Cloud REST API v2 OpenAPI spec (confluence-v2.json) (pointers `confluence-v2.json#/paths/...`,
 * relative to /wiki/api/v2), confluence-v1.json (pointers `confluence-v1.json#/paths/...`) and the facts sheet
 * README (§3 paging styles C1/C2, §5 endpoints, §10 quirks Q4, Q6, Q10).
 *
 * Memory: users are a few bytes each plus strings derived on demand from (seed, index); memberships are one
 * sorted Int32Array of user indexes per group; JSON is built per request.
 */
// The tenant is in simulator/confluence/: model.ts (its data and generator), routes.ts (the route table), truth.ts
// (ground truth and minimum requests) and index.ts (the tenant put together). This file is the entry point.
export * from './confluence/index.ts';
