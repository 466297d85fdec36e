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
