// Simulated Bitbucket tenant: the tenant (model + route table + truth) and the public surface (simulator/bitbucket.ts re-exports it).
import { bindRoutes } from '../server.ts';
import { bitbucketErrorBody, BITBUCKET_ROUTES, BITBUCKET_TOKEN_PATH, bitbucketBudget, bitbucketState } from './routes.ts';
import { DAY, generateModel, type BitbucketSim, type BitbucketTenantOptions } from './model.ts';
import { groundTruth, minimumRequests } from './truth.ts';

export { BITBUCKET_COLLECTOR_SCOPES, BITBUCKET_REPOSITORY_HOURLY_LIMIT, DEFAULT_BITBUCKET_CONSUMER, bitbucketDeployKeysOf, bitbucketVariablesOf, bitbucketWebhooksOf } from './model.ts';
export type { BitbucketDeployKeyRecord, BitbucketGroupGrant, BitbucketGroupRecord, BitbucketList, BitbucketMemberRecord, BitbucketModel, BitbucketOAuthConsumer, BitbucketProjectPermission, BitbucketProjectRecord, BitbucketRepoPermission, BitbucketRepositoryRateLimit, BitbucketRepositoryRecord, BitbucketRestrictionRecord, BitbucketScope, BitbucketSim, BitbucketTenantOptions, BitbucketUserGrant, BitbucketUserRecord, BitbucketVariableRecord, BitbucketWebhookRecord, BitbucketWorkspaceRecord, BitbucketWorkspaceRole } from './model.ts';
export { bitbucketErrorBody } from './routes.ts';
export { groundTruth, minimumRequests } from './truth.ts';

export function bitbucketTenant(opts: BitbucketTenantOptions = {}): BitbucketSim {
  const model = generateModel(opts);
  const state = bitbucketState(model, opts);
  const { issued, budget, workspaceTokens } = state;
  return {
    name: 'bitbucket',
    budget: bitbucketBudget(opts),
    auth: { basic: true, bearer: true },
    routes: bindRoutes(BITBUCKET_ROUTES, state),
    // Bitbucket's `error` schema; the 429 wording from facts sheet §9.
    errorBody: (status, message) => bitbucketErrorBody(status === 429 ? 'Rate limit for this resource has been exceeded' : message),
    model,
    tokenPath: BITBUCKET_TOKEN_PATH,
    issuedTokens: () => issued.count,
    resetRateLimit: () => budget.clear(),
    workspaceAccessToken: (tokens) => {
      const t = tokens.issue(365 * DAY, 'sim-bb-wat');
      workspaceTokens.add(t);
      return t;
    },
    groundTruth: (scope) => groundTruth(model, scope),
    minimumRequests: (scope) => minimumRequests(model, scope),
  };
}
