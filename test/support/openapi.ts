/**
 * Checks the simulators' answers against the response schemas of Atlassian's published OpenAPI documents, so a
 * simulator cannot drift from the API it stands for.
 *
 * The specs are not in this repository: they are read from `../shared/atlassian-openapi` relative to the
 * repository root (CI has them there), by their published names:
 *
 * | file | published as |
 * |---|---|
 * | jira-platform-v3.json | The Jira Cloud platform REST API (v3) |
 * | jira-service-management.json | The Jira Service Management Cloud REST API |
 * | confluence-v1.json | The Confluence Cloud REST API (v1) |
 * | confluence-v2.json | The Confluence Cloud REST API v2 |
 * | bitbucket-2.0.json | The Bitbucket Cloud REST API (2.0) |
 * | admin-organizations.json | The Atlassian Admin Organizations REST API |
 * | admin-user-management.json | The Atlassian Admin User management REST API |
 *
 * The documents are OpenAPI 3.0; ajv speaks JSON Schema. {@link toJsonSchema} converts what differs (`nullable`,
 * the boolean `exclusiveMinimum`/`exclusiveMaximum` of draft 4, `discriminator`, which only picks among `oneOf`
 * branches that are validated anyway), and each operation's response schema is compiled the first time an
 * answer of it is checked (the Jira document has 619 operations).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RecordedResponse } from '../../simulator/server.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the specs are when present: beside the repository (`../shared/atlassian-openapi`). */
export const SPECS_DIR = join(REPO_ROOT, '..', 'shared', 'atlassian-openapi');
export const SKIPPED_NO_SPECS = 'skipped: specs not found (the OpenAPI documents are read from ../shared/atlassian-openapi beside the repository)';

export function specsPresent(dir = SPECS_DIR): boolean {
  return existsSync(join(dir, 'jira-platform-v3.json'));
}

/** A spec file and the name Atlassian publishes it under (cited in reports, never the file's place on a machine). */
export interface SpecFile {
  file: string;
  title: string;
}

export const SPEC_FILES = {
  jira: { file: 'jira-platform-v3.json', title: 'The Jira Cloud platform REST API' },
  jsm: { file: 'jira-service-management.json', title: 'The Jira Service Management Cloud REST API' },
  confluenceV1: { file: 'confluence-v1.json', title: 'The Confluence Cloud REST API (v1)' },
  confluenceV2: { file: 'confluence-v2.json', title: 'The Confluence Cloud REST API v2' },
  bitbucket: { file: 'bitbucket-2.0.json', title: 'The Bitbucket Cloud REST API' },
  adminOrgs: { file: 'admin-organizations.json', title: 'The Atlassian Admin Organizations REST API' },
  adminUsers: { file: 'admin-user-management.json', title: 'The Atlassian Admin User management REST API' },
} as const satisfies Record<string, SpecFile>;

/**
 * Which published specs describe each simulated product. Products with none here (Opsgenie, JSM operations,
 * Trello, Jira and Confluence Data Center; within products, Assets, the Admin "API Access" and Teams APIs) have no OpenAPI
 * document among the specs: their answers are counted as "no published spec", never passed silently.
 */
export const SPECS_OF_PRODUCT: Readonly<Record<string, readonly SpecFile[]>> = {
  jira: [SPEC_FILES.jira],
  jsm: [SPEC_FILES.jsm, SPEC_FILES.jira],
  // Assets has no published OpenAPI document here; its workspace discovery (GET /rest/servicedeskapi/assets/workspace)
  // is in the JSM one, so that answer is checked and the others count as "no operation".
  assets: [SPEC_FILES.jsm],
  confluence: [SPEC_FILES.confluenceV2, SPEC_FILES.confluenceV1],
  bitbucket: [SPEC_FILES.bitbucket],
  admin: [SPEC_FILES.adminOrgs, SPEC_FILES.adminUsers],
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** OpenAPI 3.0 schema object (and everything around it) → JSON Schema draft 7 as ajv reads it. */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'discriminator' || k === 'nullable' || k === 'example' || k === 'examples' || k.startsWith('x-')) continue;
    out[k] = toJsonSchema(v);
  }
  // draft 4 booleans (OpenAPI 3.0) → draft 6+ numbers
  for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[ex] === 'boolean') {
      const b = out[bound];
      if (out[ex] === true && typeof b === 'number') {
        out[ex] = b;
        delete out[bound];
      } else delete out[ex];
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

interface Operation {
  spec: SpecFile;
  /** Full path template with the server's base path, e.g. `/wiki/api/v2/spaces/{id}`. */
  template: string;
  segments: string[];
  literalCount: number;
  pointer: string;
  responses: JsonObject;
  operationId: string;
}

export type Verdict =
  | { kind: 'valid'; operation: string }
  | { kind: 'violation'; operation: string; errors: string[] }
  | { kind: 'allowed'; operation: string; reason: string }
  | { kind: 'no-spec' }
  | { kind: 'no-operation' }
  | { kind: 'no-schema'; operation: string };

/** An answer that differs from the spec where the real API is documented to differ too: one entry each, with its source. */
export interface AllowedDeviation {
  /** e.g. `GET /rest/api/3/project/search` */
  operation: string;
  status: number;
  /** Every error it allows matches this (errors read `<instance path> <ajv message> <params>`, e.g. `/3/emailAddress must be string {"type":"string"}`). */
  errors: RegExp;
  reason: string;
  /** Only answers to requests this holds for (e.g. with a `key` query parameter). */
  when?: (r: RecordedResponse) => boolean;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function basePathOf(doc: JsonObject): string {
  const servers = doc.servers;
  const first = Array.isArray(servers) && isObject(servers[0]) ? servers[0].url : undefined;
  if (typeof first !== 'string') return '';
  const m = /^(?:[a-z]+:)?\/\/[^/]+(\/.*)?$/i.exec(first);
  return (m?.[1] ?? '').replace(/\/$/, '');
}

/** The published specs, loaded and compiled lazily. */
export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly ops = new Map<string, Operation[]>();
  private readonly compiled = new Map<string, ValidateFunction | null>();

  constructor(
    private readonly dir: string = SPECS_DIR,
    private readonly allowed: readonly AllowedDeviation[] = [],
  ) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
    addFormats(this.ajv);
    for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'uri-reference', 'uri']) {
      // Number widths and the OpenAPI string formats are annotations here; ajv-formats checks the rest.
      if (!this.ajv.formats[f]) this.ajv.addFormat(f, true);
    }
  }

  private operationsOf(spec: SpecFile): Operation[] {
    const known = this.ops.get(spec.file);
    if (known) return known;
    const doc = JSON.parse(readFileSync(join(this.dir, spec.file), 'utf8')) as JsonObject;
    const base = basePathOf(doc);
    const converted = toJsonSchema({ components: doc.components ?? {}, paths: doc.paths ?? {} }) as JsonObject;
    this.ajv.addSchema({ ...converted, $id: `spec:${spec.file}` });
    const list: Operation[] = [];
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [p, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
        const op = item[method];
        if (!isObject(op) || !isObject(op.responses)) continue;
        const template = `${base}${p}`;
        const segments = template.split('/');
        list.push({
          spec,
          template: `${method.toUpperCase()} ${template}`,
          segments,
          literalCount: segments.filter((s) => !s.startsWith('{')).length,
          pointer: `/paths/${escapePointer(p)}/${method}`,
          responses: op.responses,
          operationId: typeof op.operationId === 'string' ? op.operationId : '',
        });
      }
    }
    this.ops.set(spec.file, list);
    return list;
  }

  /** The operation of `specs` whose path template matches `path` with the most literal segments. */
  findOperation(specs: readonly SpecFile[], method: string, path: string): Operation | undefined {
    const parts = path.split('/');
    let best: Operation | undefined;
    for (const spec of specs) {
      for (const op of this.operationsOf(spec)) {
        if (!op.template.startsWith(`${method} `) || op.segments.length !== parts.length) continue;
        const ok = op.segments.every((seg, i) => (seg.startsWith('{') && seg.endsWith('}') ? (parts[i] ?? '') !== '' : seg === parts[i]));
        if (ok && (!best || op.literalCount > best.literalCount)) best = op;
      }
    }
    return best;
  }

  private validatorFor(op: Operation, status: number): ValidateFunction | null {
    const key = `${op.spec.file}${op.pointer}:${status}`;
    if (this.compiled.has(key)) return this.compiled.get(key) ?? null;
    const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((s) => s in op.responses);
    let fn: ValidateFunction | null = null;
    const response = statusKey ? op.responses[statusKey] : undefined;
    const content = isObject(response) && isObject(response.content) ? response.content : undefined;
    const mediaType = content ? Object.keys(content).find((t) => /json|\*\/\*/.test(t)) : undefined;
    if (statusKey && content && mediaType && isObject(content[mediaType]) && isObject(content[mediaType].schema)) {
      const ref = `spec:${op.spec.file}#${op.pointer}/responses/${escapePointer(statusKey)}/content/${escapePointer(mediaType)}/schema`;
      fn = this.ajv.compile({ $ref: ref });
    } else if (isObject(response) && typeof response.$ref === 'string') {
      // a shared response object (#/components/responses/X)
      const name = response.$ref.replace('#/components/responses/', '');
      const shared = isObject(response) ? this.sharedResponse(op.spec, name) : undefined;
      const sharedType = shared ? Object.keys(shared).find((t) => /json|\*\/\*/.test(t)) : undefined;
      if (shared && sharedType) {
        fn = this.ajv.compile({ $ref: `spec:${op.spec.file}#/components/responses/${escapePointer(name)}/content/${escapePointer(sharedType)}/schema` });
      }
    }
    this.compiled.set(key, fn);
    return fn;
  }

  private sharedResponse(spec: SpecFile, name: string): JsonObject | undefined {
    const doc = this.ajv.getSchema(`spec:${spec.file}`)?.schema as JsonObject | undefined;
    const components = doc && isObject(doc.components) ? doc.components : undefined;
    const responses = components && isObject(components.responses) ? components.responses : undefined;
    const r = responses?.[name];
    return isObject(r) && isObject(r.content) ? r.content : undefined;
  }

  check(r: RecordedResponse): Verdict {
    const specs = r.product === null ? undefined : SPECS_OF_PRODUCT[r.product];
    if (!specs) return { kind: 'no-spec' };
    const op = this.findOperation(specs, r.method, r.path);
    if (!op) return { kind: 'no-operation' };
    const operation = `${op.template} (${op.spec.title}${op.operationId ? `, ${op.operationId}` : ''})`;
    const fn = this.validatorFor(op, r.status);
    if (!fn) return { kind: 'no-schema', operation };
    if (fn(r.body)) return { kind: 'valid', operation };
    const errors = (fn.errors ?? []).map(describeError);
    const allowances = this.allowed.filter((a) => a.operation === op.template && a.status === r.status && (a.when?.(r) ?? true));
    const unexplained = errors.filter((e) => !allowances.some((a) => a.errors.test(e)));
    if (allowances.length > 0 && unexplained.length === 0) return { kind: 'allowed', operation, reason: allowances.map((a) => a.reason).join('; ') };
    return { kind: 'violation', operation, errors };
  }
}

function describeError(e: ErrorObject): string {
  return `${e.instancePath || '(body)'} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`;
}

/** Totals per product and the distinct problems, for a report a reader can act on. */
export interface ConformanceReport {
  byProduct: Record<string, { valid: number; violations: number; allowed: number; noSpec: number; noOperation: number; noSchema: number }>;
  /** Distinct (product, operation, status, first error) with how often. */
  violations: Map<string, number>;
  /** Distinct answers not checked, with why: `product METHOD route status: why`. */
  unchecked: Map<string, number>;
  allowed: Map<string, number>;
}

export function newReport(): ConformanceReport {
  return { byProduct: {}, violations: new Map(), unchecked: new Map(), allowed: new Map() };
}

export function addToReport(report: ConformanceReport, r: RecordedResponse, v: Verdict): void {
  const p = r.product ?? '(no route)';
  const t = (report.byProduct[p] ??= { valid: 0, violations: 0, allowed: 0, noSpec: 0, noOperation: 0, noSchema: 0 });
  const bump = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  const route = r.route ?? `${r.method} ${r.path}`;
  switch (v.kind) {
    case 'valid':
      t.valid++;
      break;
    case 'violation':
      t.violations++;
      // one line per kind of error: array indices folded (`/values/N/last_used`)
      for (const e of new Set(v.errors.map((x) => x.replace(/\/\d+(?=\/|\s)/g, '/N')))) bump(report.violations, `${p} ${v.operation} HTTP ${r.status}: ${e}`);
      break;
    case 'allowed':
      t.allowed++;
      bump(report.allowed, `${p} ${v.operation} HTTP ${r.status}: ${v.reason}`);
      break;
    case 'no-spec':
      t.noSpec++;
      bump(report.unchecked, `${p} ${route} HTTP ${r.status}: no published spec for the product`);
      break;
    case 'no-operation':
      t.noOperation++;
      bump(report.unchecked, `${p} ${route} HTTP ${r.status}: no operation in the product's specs matches`);
      break;
    case 'no-schema':
      t.noSchema++;
      bump(report.unchecked, `${p} ${route} HTTP ${r.status}: ${v.operation} documents no JSON schema for this status`);
      break;
  }
}

export function formatReport(report: ConformanceReport): string {
  const lines: string[] = ['Simulator answers against the published OpenAPI specs', ''];
  lines.push('| product | valid | violations | allowed | no spec | no operation | no schema for status |', '|---|---|---|---|---|---|---|');
  for (const [p, t] of Object.entries(report.byProduct).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`| ${p} | ${t.valid} | ${t.violations} | ${t.allowed} | ${t.noSpec} | ${t.noOperation} | ${t.noSchema} |`);
  }
  const list = (title: string, m: Map<string, number>): void => {
    if (m.size === 0) return;
    lines.push('', `${title} (${m.size} distinct):`);
    for (const [k, n] of [...m.entries()].sort(([a], [b]) => a.localeCompare(b))) lines.push(`- ${k} (×${n})`);
  };
  list('Violations', report.violations);
  list('Allowed deviations', report.allowed);
  list('Not checked', report.unchecked);
  return lines.join('\n');
}
