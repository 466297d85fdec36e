// Simulated Admin tenant: the tenant (model + route table + truth) and the public surface (simulator/admin.ts re-exports it).
import { type AdminSim, type AdminTenantOptions, generateModel } from './model.ts';
import { bindRoutes } from '../server.ts';
import { ADMIN_ROUTES, adminErrorBody, adminState } from './routes.ts';
import { groundTruth, minimumRequests } from './truth.ts';
import { adminRateLimit } from '../atlassian-quota.ts';
import { ADMIN_EVENT_ROUTES, adminEventLog } from '../admin-events.ts';

export { ADMIN_ENDPOINT_SCOPES, AdminUsers } from './model.ts';
export type { AdminAccountStatus, AdminDirectoryRecord, AdminDomainRecord, AdminEndpoint, AdminGroupRecord, AdminMembershipStatus, AdminModel, AdminPolicyRecord, AdminProductAccessRecord, AdminServiceAccountRecord, AdminSim, AdminStatus, AdminTenantOptions, AdminTokenRecord, AdminWorkspaceRecord } from './model.ts';
export { groundTruth, minimumRequests } from './truth.ts';

/** A simulated Atlassian organization served by the Admin API routes. */
export function adminTenant(opts: AdminTenantOptions = {}): AdminSim {
  const model = generateModel(opts);
  const audit = adminEventLog(model, opts.audit);
  const state = adminState(model, opts);
  const { asked } = state;
  return {
    name: 'admin',
    // Org admin API key as Bearer only (facts sheet §2; both specs' `security: bearerAuth`).
    auth: { basic: false, bearer: true },
    errorBody: adminErrorBody,
    budget: adminRateLimit((status, message) => adminErrorBody(status, message), opts.rateLimit),
    routes: [...bindRoutes(ADMIN_ROUTES, state), ...bindRoutes(ADMIN_EVENT_ROUTES, { model, log: audit })],
    model,
    audit,
    requestedLimits: () => Object.fromEntries([...asked].map(([k, v]) => [k, [...v].sort((a, b) => a - b)])),
    groundTruth: (o) => groundTruth(model, o?.apiTokens ?? 'managed'),
    minimumRequests: (o) => minimumRequests(model, o?.apiTokens ?? 'managed'),
  };
}
