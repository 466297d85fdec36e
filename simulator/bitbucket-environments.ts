/**
 * Simulated Bitbucket Cloud deployment environments and their Pipelines variables: the model (derived from
 * the seed, the workspace and the repository, so the Bitbucket model's generation is untouched), the two routes
 * and the ground truth rows.
 *
 * Authority: The Bitbucket Cloud REST API (bitbucket-2.0.json):
 * - GET /repositories/{workspace}/{repo_slug}/environments (getEnvironmentsForRepository, "Find environments"):
 *   `paginated_environments` of `deployment_environment` (uuid, name); security oauth2 [pipeline];
 * - GET /repositories/{workspace}/{repo_slug}/deployments_config/environments/{environment_uuid}/variables
 *   (getDeploymentVariables, "Find deployment environment level variables"): `paginated_deployment_variable`
 *   of `deployment_variable` (uuid, key, value, secured: "If the variable is secured, this will be empty");
 *   security oauth2 [pipeline].
 * Both page like every Bitbucket list (style B: `pagelen` up to 100, `next` until the last page). Both count
 * against the `/2.0/repositories/*` hourly budget.
 */
import type { RouteResult } from './server.ts';
import { hash32, hex8, uuidFrom } from './random.ts';
import type { BbRoute, findRepository, pagedList } from './bitbucket/routes.ts';
import type { BitbucketRepositoryRecord, BitbucketVariableRecord, BitbucketWorkspaceRecord } from './bitbucket/model.ts';
import type { RowInput } from '../shared/schema/table.ts';
import type { bitbucketPipelineVariables } from '../functions/bitbucket.tables.ts';

export interface BitbucketEnvironmentRecord {
  uuid: string;
  name: string;
  /** Test, Staging or Production (the three environment types, ranked 0..2). */
  type: 'Test' | 'Staging' | 'Production';
  rank: number;
}

const TYPES = ['Test', 'Staging', 'Production'] as const;
const NAMES: Record<(typeof TYPES)[number], string> = { Test: 'Test', Staging: 'Staging', Production: 'Production' };
const DEPLOY_KEYS = ['DEPLOY_TOKEN', 'AWS_ROLE_ARN', 'KUBE_CONFIG_SECRET', 'APP_URL', 'DB_PASSWORD'];

/** Deployment environments of a repository (`ri` its index): the three defaults on index 0, else none to three. */
export function bitbucketEnvironmentsOf(seed: number, w: BitbucketWorkspaceRecord, ri: string): BitbucketEnvironmentRecord[] {
  const n = ri === '0' ? 3 : hash32(seed, 'bb-env-n', w.index, ri) % 4;
  return TYPES.slice(0, n).map((type, rank) => ({ uuid: `{${uuidFrom(seed, 'bb-env', w.index, ri, rank)}}`, name: NAMES[type], type, rank }));
}

/** Variables of one deployment environment: none to three, Production of repository 0 has three; values in the payload only. */
export function bitbucketDeploymentVariablesOf(seed: number, w: BitbucketWorkspaceRecord, ri: string, env: BitbucketEnvironmentRecord): BitbucketVariableRecord[] {
  const n = ri === '0' && env.type === 'Production' ? 3 : hash32(seed, 'bb-dvar-n', w.index, ri, env.rank) % 4;
  const out: BitbucketVariableRecord[] = [];
  for (let k = 0; k < n; k++) {
    const key = DEPLOY_KEYS[(hash32(seed, 'bb-dvar-key', w.index, ri, env.rank) + k) % DEPLOY_KEYS.length] ?? 'VAR';
    out.push({
      uuid: `{${uuidFrom(seed, 'bb-dvar', w.index, ri, env.rank, k)}}`,
      key,
      secured: /SECRET|TOKEN|PASSWORD/.test(key),
      value: `value-${hex8(hash32(seed, 'bb-dvar-value', w.index, ri, env.rank, k))}`,
    });
  }
  return out;
}

/** What the routes need from the Bitbucket routes module (passed in: that module imports this one). */
export interface EnvironmentRouteHelpers {
  pagedList: typeof pagedList;
  findRepository: typeof findRepository;
  repoIndex(w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): string;
  variableJson(v: BitbucketVariableRecord): Record<string, unknown>;
  fail(status: number, message: string, detail?: string): RouteResult;
}

/** The two table entries; their handlers read the tenant from their state argument. */
export function environmentRoutes(h: EnvironmentRouteHelpers): BbRoute[] {
  const repositoryEnvironments = h.pagedList(
    h.findRepository,
    'environments',
    (s, f) => bitbucketEnvironmentsOf(s.seed, f.w, h.repoIndex(f.w, f.r)),
    (_s, _ctx, _f, e) => ({
      type: 'deployment_environment',
      uuid: e.uuid,
      name: e.name,
      slug: e.name.toLowerCase(),
      rank: e.rank,
      hidden: false,
      environment_type: { type: 'deployment_environment_type', name: e.type, rank: e.rank },
      restrictions: { type: 'deployment_restrictions_configuration', admin_only: e.type === 'Production' },
      lock: { type: 'deployment_environment_lock_open', name: 'OPEN' },
    }),
  );
  const deploymentVariables = h.pagedList(
    h.findRepository,
    'variables',
    (s, f, ctx) => {
      const ri = h.repoIndex(f.w, f.r);
      const ref = ctx.params.environment_uuid ?? '';
      const env = bitbucketEnvironmentsOf(s.seed, f.w, ri).find((e) => e.uuid === ref || e.uuid === `{${ref}}`);
      if (!env) return h.fail(404, `Environment ${ref} not found in ${f.r.fullName}.`);
      return bitbucketDeploymentVariablesOf(s.seed, f.w, ri, env);
    },
    (_s, _ctx, _f, v) => h.variableJson(v),
  );
  return [
    // getEnvironmentsForRepository: security oauth2 [pipeline]; readable by whoever may read the repository.
    { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/environments', scope: 'pipeline', repositoryBudget: true, paged: true, handle: repositoryEnvironments },
    // getDeploymentVariables: security oauth2 [pipeline]; a secured variable's value is never returned.
    {
      method: 'GET',
      path: '/2.0/repositories/{workspace}/{repo_slug}/deployments_config/environments/{environment_uuid}/variables',
      scope: 'pipeline',
      adminOnly: 'You must be an admin of this repository to view its deployment variables.',
      repositoryBudget: true,
      paged: true,
      handle: deploymentVariables,
    },
  ];
}

/** `bitbucket_pipeline_variables` rows of a repository's deployment environments. */
export function environmentVariableRows(seed: number, w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): RowInput<typeof bitbucketPipelineVariables>[] {
  const ri = String(w.repositories.indexOf(r));
  return bitbucketEnvironmentsOf(seed, w, ri).flatMap((env) =>
    bitbucketDeploymentVariablesOf(seed, w, ri, env).map((v) => ({
      level: 'deployment_environment',
      owner_uuid: env.uuid,
      workspace_uuid: w.uuid,
      workspace_slug: w.slug,
      repository_uuid: r.uuid,
      repository_full_name: r.fullName,
      environment_uuid: env.uuid,
      environment_name: env.name,
      variable_uuid: v.uuid,
      key: v.key,
      secured: v.secured,
    })),
  );
}

/** Requests for a repository's environments (one page) and each one's variables (one page each at pagelen 100). */
export function environmentRequests(seed: number, w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): number {
  return 1 + bitbucketEnvironmentsOf(seed, w, String(w.repositories.indexOf(r))).length;
}
