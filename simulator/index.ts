export {
  startSimulator,
  bindRoutes,
  onPart,
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
  RouteTable,
  TableRoute,
  Principal,
  AuthScheme,
  BudgetRule,
  ProductBudget,
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
export { pager, DEFAULT_SHORT_PAGE_RATE } from './paging.ts';
export type { Pager, ListPage, ShortPagesOption, ShortPageReading } from './paging.ts';
export { oauthApp } from './oauth.ts';
export type { OAuthAppOptions, OAuthSim } from './oauth.ts';
export { AccessTokens } from './server.ts';
export { adminTenant, ADMIN_ENDPOINT_SCOPES, groundTruth as adminGroundTruth, minimumRequests as adminMinimumRequests } from './admin.ts';
export type { AdminTenantOptions, AdminSim, AdminModel, AdminEndpoint } from './admin.ts';
export { bitbucketTenant, bitbucketErrorBody, groundTruth as bitbucketGroundTruth, minimumRequests as bitbucketMinimumRequests, DEFAULT_BITBUCKET_CONSUMER, BITBUCKET_COLLECTOR_SCOPES, BITBUCKET_REPOSITORY_HOURLY_LIMIT } from './bitbucket.ts';
export type { BitbucketTenantOptions, BitbucketSim, BitbucketModel, BitbucketScope, BitbucketOAuthConsumer, BitbucketRepositoryRateLimit, BitbucketList } from './bitbucket.ts';
export { confluenceTenant, confluenceV1Error, confluenceV2Error, groundTruth as confluenceGroundTruth, minimumRequests as confluenceMinimumRequests, DEFAULT_CONFLUENCE_PAGE_CAPS, CONFLUENCE_USER_SEARCH_WINDOW, ConfluenceUsers } from './confluence.ts';
export type { ConfluenceTenantOptions, ConfluencePageCaps, ConfluenceSim, ConfluenceModel, ConfluenceRoleMode, ConfluenceUserRecord, ConfluenceGroupRecord, ConfluenceSpaceRecord, ConfluencePermissionRecord, ConfluenceRoleAssignmentRecord, ConfluenceRoleRecord, ConfluenceAccountStatus } from './confluence.ts';
export { jsmTenant, jsmErrorBody, groundTruth as jsmGroundTruth, minimumRequests as jsmMinimumRequests, DEFAULT_JSM_PAGE_CAPS } from './jsm.ts';
export type { JsmTenantOptions, JsmPageCaps, JsmSim, JsmModel, JsmAccount, JsmDesk, JsmOrganization, JsmRoleActor } from './jsm.ts';
export { jiraDcTenant, JIRA_DC_TOKENS, DEFAULT_JIRA_DC_PAGE_CAPS, groundTruth as jiraDcGroundTruth, minimumRequests as jiraDcMinimumRequests } from './jira-dc.ts';
export type { JiraDcTenantOptions, JiraDcPageCaps, JiraDcSim, JiraDcModel, JiraDcUserRecord } from './jira-dc.ts';
export { opsgenieTenant, opsgenieErrorBody } from './opsgenie.ts';
export type { OpsgenieTenantOptions, OpsgenieSim, OpsgenieModel } from './opsgenie.ts';
export { assetsTenant, groundTruth as assetsGroundTruth, minimumRequests as assetsMinimumRequests, DEFAULT_ASSETS_PAGE_CAPS } from './assets.ts';
export type { AssetsTenantOptions, AssetsPageCaps, AssetsSim, AssetsModel, AssetsWorkspaceRecord, AssetsSchemaRecord, AssetsTypeRecord, AssetsObjectRecord } from './assets.ts';
export { confluenceDcTenant, CONFLUENCE_DC_TOKENS, DEFAULT_CONFLUENCE_DC_PAGE_CAPS, groundTruth as confluenceDcGroundTruth, minimumRequests as confluenceDcMinimumRequests } from './confluence-dc.ts';
export type { ConfluenceDcTenantOptions, ConfluenceDcPageCaps, ConfluenceDcSim, ConfluenceDcModel } from './confluence-dc.ts';
export { trelloTenant, trelloBudget, TRELLO_RATE_LIMITS } from './trello.ts';
export type { TrelloTenantOptions, TrelloSim, TrelloModel, TrelloRateLimits } from './trello.ts';
export { directoryPeople, peopleOf } from './people.ts';
export type { People, Person, DirectoryPeopleOptions } from './people.ts';
export { jsmOpsTenant, jsmOpsErrorBody } from './jsm-ops.ts';
export type { JsmOpsTenantOptions, JsmOpsSim, JsmOpsModel } from './jsm-ops.ts';
