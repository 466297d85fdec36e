// Simulated Confluence tenant: the tenant (model + route table + truth) and the public surface (simulator/confluence.ts re-exports it).
import { type ConfluenceSim, type ConfluenceTenantOptions, generateModel } from './model.ts';
import { bindRoutes } from '../server.ts';
import { CONFLUENCE_ROUTES, confluenceState, confluenceV1Error, confluenceV2Error } from './routes.ts';
import { groundTruth, minimumRequests } from './truth.ts';
import { atlassianQuota } from '../atlassian-quota.ts';
import { CONFLUENCE_AUDIT_ROUTES, confluenceAuditLog } from '../confluence-audit.ts';

export { CONFLUENCE_USER_SEARCH_WINDOW, ConfluenceUsers, DEFAULT_CONFLUENCE_PAGE_CAPS } from './model.ts';
export type { ConfluenceAccountStatus, ConfluenceGroupRecord, ConfluenceModel, ConfluencePageCaps, ConfluencePermissionRecord, ConfluenceRoleAssignmentRecord, ConfluenceRoleMode, ConfluenceRoleRecord, ConfluenceSim, ConfluenceSpaceRecord, ConfluenceTenantOptions, ConfluenceUserRecord } from './model.ts';
export { confluenceV1Error, confluenceV2Error } from './routes.ts';
export { groundTruth, minimumRequests } from './truth.ts';

export function confluenceTenant(opts: ConfluenceTenantOptions = {}): ConfluenceSim {
  const model = generateModel(opts);
  const audit = confluenceAuditLog(model, opts.audit);
  const state = confluenceState(model, opts);
  return {
    name: 'confluence',
    gateway: 'confluence',
    budget: atlassianQuota('confluence', confluenceV2Error, opts.quota),
    // The audit route is bound to the audit log apart: confluence-audit.ts imports the v1 error shape from routes.ts.
    routes: [...bindRoutes(CONFLUENCE_ROUTES, state), ...bindRoutes(CONFLUENCE_AUDIT_ROUTES, audit)],
    model,
    audit,
    // Errors the server itself answers (401, 429, 5xx, the limited account's 403) in the shape of the API
    // the path belongs to: v2 `{errors: [...]}`, v1 `{statusCode, data, message}`.
    errorBody: (status: number, message: string, path: string) => (path.startsWith('/wiki/api/v2/') ? confluenceV2Error(status, message) : confluenceV1Error(status, message)),
    groundTruth: () => groundTruth(model),
    minimumRequests: () => minimumRequests(model),
  };
}
