export {
  startSimulator,
  errorBody,
  FAULT_KINDS,
  DEFAULT_CREDENTIALS,
  DEFAULT_LIMITED_CREDENTIALS,
} from './server.ts';
export type {
  SimulatorOptions,
  FaultOptions,
  FaultKind,
  Credentials,
  Simulator,
  SimulatorStats,
  RequestLogEntry,
  ProductSim,
  Route,
  RouteContext,
  RouteResult,
  Principal,
  AuthScheme,
} from './server.ts';
export { jiraTenant, groundTruth as jiraGroundTruth, minimumRequests as jiraMinimumRequests, DEFAULT_JIRA_PAGE_CAPS, JiraUsers } from './jira.ts';
export type {
  JiraTenantOptions,
  JiraPageCaps,
  JiraSim,
  JiraModel,
  JiraUserRecord,
  JiraGroupRecord,
  JiraProjectRecord,
  JiraProjectRoleRecord,
  JiraActorRecord,
  JiraRoleRecord,
  JiraSchemeRecord,
  JiraGrantRecord,
  JiraHolderRecord,
  JiraAppRoleRecord,
  JiraPropertyRecord,
  JiraAccountType,
  JiraAppType,
  JiraProjectStatus,
} from './jira.ts';
export { Rng, hash32, unit, uuidFrom, scramble32, hex8 } from './random.ts';
export { oauthApp } from './oauth.ts';
export type { OAuthAppOptions, OAuthSim } from './oauth.ts';
export { AccessTokens } from './server.ts';
export { adminTenant, ADMIN_ENDPOINT_SCOPES, groundTruth as adminGroundTruth, minimumRequests as adminMinimumRequests } from './admin.ts';
export type { AdminTenantOptions, AdminSim, AdminModel, AdminEndpoint } from './admin.ts';
export { bitbucketTenant, bitbucketErrorBody, groundTruth as bitbucketGroundTruth, minimumRequests as bitbucketMinimumRequests, DEFAULT_BITBUCKET_CONSUMER, BITBUCKET_COLLECTOR_SCOPES, BITBUCKET_REPOSITORY_HOURLY_LIMIT } from './bitbucket.ts';
export type { BitbucketTenantOptions, BitbucketSim, BitbucketModel, BitbucketScope, BitbucketOAuthConsumer, BitbucketRepositoryRateLimit, BitbucketList } from './bitbucket.ts';
export { confluenceTenant, confluenceV1Error, confluenceV2Error, groundTruth as confluenceGroundTruth, minimumRequests as confluenceMinimumRequests, DEFAULT_CONFLUENCE_PAGE_CAPS, CONFLUENCE_USER_SEARCH_WINDOW, ConfluenceUsers } from './confluence.ts';
export type { ConfluenceTenantOptions, ConfluencePageCaps, ConfluenceSim, ConfluenceModel, ConfluenceRoleMode, ConfluenceUserRecord, ConfluenceGroupRecord, ConfluenceSpaceRecord, ConfluencePermissionRecord, ConfluenceRoleAssignmentRecord, ConfluenceRoleRecord, ConfluenceAccountStatus } from './confluence.ts';
