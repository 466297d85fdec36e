// Simulated Jira tenant: the tenant (model + route table + truth) and the public surface (simulator/jira.ts re-exports it).
import { bindRoutes, errorBody, type Principal } from '../server.ts';
import { atlassianQuota } from '../atlassian-quota.ts';
import { type JiraSim, type JiraTenantOptions, generateModel } from './model.ts';
import { JIRA_ROUTES, jiraState } from './routes.ts';
import { groundTruth, minimumRequests } from './truth.ts';
import { jiraAuditLog } from '../jira-audit.ts';

export { DEFAULT_JIRA_PAGE_CAPS, JiraUsers, NESTED_ADMIN_GROUP, addAccessPaths } from './model.ts';
export type { JiraAccountType, JiraActorRecord, JiraAppRoleRecord, JiraAppType, JiraGrantRecord, JiraGroupRecord, JiraHolderRecord, JiraModel, JiraPageCaps, JiraProjectRecord, JiraProjectRoleRecord, JiraProjectStatus, JiraPropertyRecord, JiraRoleRecord, JiraSchemeRecord, JiraSim, JiraTenantOptions, JiraUserRecord } from './model.ts';
export { groundTruth, minimumRequests } from './truth.ts';

export function jiraTenant(opts: JiraTenantOptions = {}): JiraSim {
  const model = generateModel(opts);
  const audit = jiraAuditLog(model, opts.audit);
  const state = jiraState(model, opts, audit);
  const { users } = state;
  return {
    name: 'jira',
    gateway: 'jira',
    budget: atlassianQuota('jira', (_status, message) => errorBody(message), opts.quota),
    routes: bindRoutes(JIRA_ROUTES, state),
    model,
    audit,
    accountIdOf: (principal: Principal) => (principal === 'admin' ? users.accountId(0) : principal === 'limited' ? users.accountId(1) : undefined),
    groundTruth: () => groundTruth(model),
    minimumRequests: () => minimumRequests(model),
  };
}
