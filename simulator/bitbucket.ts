/**
 * Simulated Bitbucket Cloud tenant: a seeded model (Atlassian accounts, workspaces with members and
 * groups, projects, repositories, explicit user and group grants, branch restrictions), the REST 2.0
 * routes that serve it, an OAuth consumer token endpoint, the ground truth a perfect collector must
 * produce, and the minimum number of requests such a collector needs.
 *
 * Authority: Atlassian's published Bitbucket Cloud REST API 2.0 OpenAPI spec (bitbucket-2.0.json) (pointers below are relative to
 * `bitbucket-2.0.json#/paths/`) and the facts sheet README (§2 auth, §3 style B, §6 endpoints, §9 rate
 * limits, §10 Q8).
 *
 * Auth: the generic server checks Basic API tokens and Bearer tokens on the same host (`auth: {basic,
 * bearer}`); Bearer tokens the token endpoint issues go through the server's per-instance `AccessTokens`.
 * On top, routes here refuse tokens that lack the operation's OAuth scope and workspace access tokens on
 * permission endpoints.
 */
// The tenant is in simulator/bitbucket/: model.ts (its data and generator), routes.ts (the route table), truth.ts
// (ground truth and minimum requests) and index.ts (the tenant put together). This file is the entry point.
export * from './bitbucket/index.ts';
