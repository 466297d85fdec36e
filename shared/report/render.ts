import type { AccessRow } from './access.ts';
import { CLIENT_JS } from './client.ts';
import type { AdminRow, ReportData } from './data.ts';

/**
 * The access report as one self-contained HTML page: inline CSS, SVG, data (JSON) and a plain script, no
 * external request, so it opens from a bucket, a file share or disk as it is. A table of contents, a person
 * finder, every table searchable, filterable, sortable, paged (never clipped) and exportable as CSV, a person
 * view and a resource view (see client.ts), and a print stylesheet that prints every row. Shared by
 * `npm run report` and the workflow's finalize step.
 */

export interface RenderOptions {
  /** When the figures were computed (ISO-8601). */
  generatedAt: string;
  /** Where the data came from, e.g. `./out` or `s3://bucket/data/`. */
  source: string;
  /**
   * Who reaches which resource and how (shared/report/access.ts): feeds the person and resource views, the
   * resources table and the resources behind "project admin (3)". Without it (the workflow's finalize step) those
   * say where to get it and the rest of the report is the same.
   */
  access?: readonly AccessRow[];
}

const esc = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const PRODUCTS = ['jira', 'confluence', 'bitbucket', 'organization'] as const;
const COLORS = ['#0052cc', '#36b37e', '#ff8b00', '#6554c0', '#00b8d9', '#de350b'];

interface Bar {
  label: string;
  values: number[];
}

/** A horizontal bar chart: one row per label, one bar per series. */
export function barChart(title: string, series: readonly string[], bars: readonly Bar[]): string {
  const rowH = 18 * series.length + 10;
  const labelW = 150;
  const plotW = 250;
  const max = Math.max(1, ...bars.flatMap((b) => b.values));
  const legend = series.length > 1 ? 24 : 0;
  const height = 30 + legend + Math.max(1, bars.length) * rowH;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelW + plotW + 60}" height="${height}" viewBox="0 0 ${labelW + plotW + 60} ${height}" aria-label="${esc(title)}">`];
  parts.push(`<title>${esc(title)}</title><text x="0" y="16" class="ct">${esc(title)}</text>`);
  if (legend) {
    series.forEach((s, i) => {
      parts.push(`<rect x="${labelW + i * 100}" y="26" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${labelW + i * 100 + 16}" y="37" class="cl">${esc(s)}</text>`);
    });
  }
  if (!bars.length) parts.push(`<text x="${labelW}" y="${40 + legend}" class="cl">nothing to show</text>`);
  bars.forEach((b, r) => {
    const y0 = 30 + legend + r * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y0 + rowH / 2 + 4}" text-anchor="end" class="cl">${esc(b.label)}</text>`);
    b.values.forEach((v, i) => {
      const w = Math.round((v / max) * plotW);
      const y = y0 + 4 + i * 18;
      parts.push(`<rect x="${labelW}" y="${y}" width="${Math.max(w, v > 0 ? 2 : 0)}" height="14" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${b.label} ${series[i] ?? ''}: ${v}`)}</title></rect>`);
      parts.push(`<text x="${labelW + w + 6}" y="${y + 11}" class="cv">${v}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

const yesNo = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');
const count = <T>(rows: readonly T[], f: (r: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(f(r), (m.get(f(r)) ?? 0) + 1);
  return m;
};

function distinctAdmins(rows: readonly AdminRow[], product: string): number {
  return new Set(rows.filter((r) => r.product === product).map((r) => `${r.org}\u0000${r.account_id}`)).size;
}

/** One line per administrator: their roles on one site combined. */
interface AdminLine {
  org: string;
  site: string;
  account_id: string;
  display_name: string | null;
  roles: string;
  active: boolean | null;
}

function adminLines(rows: readonly AdminRow[]): AdminLine[] {
  const m = new Map<string, AdminLine>();
  for (const r of rows) {
    const k = `${r.org}\u0000${r.site}\u0000${r.account_id}`;
    const role = r.scope === null ? r.role : `${r.role} (${r.scope})`;
    const e = m.get(k);
    if (e) {
      e.roles = `${e.roles}; ${role}`;
      e.active = e.active ?? r.active;
      e.display_name = e.display_name ?? r.display_name;
    } else m.set(k, { org: r.org, site: r.site, account_id: r.account_id, display_name: r.display_name, roles: role, active: r.active });
  }
  return [...m.values()].sort((a, b) => (a.org + a.site + (a.display_name ?? a.account_id)).localeCompare(b.org + b.site + (b.display_name ?? b.account_id)));
}


/** A column of a table in the page: `person`/`resource`(s) cells link to a view through the hidden column `ref`. */
interface Column {
  label: string;
  kind?: 'num' | 'person' | 'resource' | 'resources' | 'hidden';
  ref?: number;
}
type Cell = string | number | null;
interface TableSpec {
  columns: Column[];
  rows: Cell[][];
}

/** What the person finder and the person view know of an account or group. */
interface Person {
  org: string;
  id: string;
  name: string;
  /** Every name products give the account (the first is `name`). */
  names: string[];
  email: string;
  type: string;
  notes: string[];
}

/** Compact access rows: resources and principals once, rows as indexes (the demo's 200,000 rows stay a few MB). */
interface AccessData {
  res: [string, string, string, string, string, string | null][];
  prin: [string, string, string, string | null, boolean | null][];
  via: string[];
  rows: [number, number, string, number][];
}

const fmt = new Intl.NumberFormat('en');
const n = (v: number): string => fmt.format(v);
const pkey = (org: string, id: string): string => `${org}|${id}`;
const rkey = (org: string, product: string, site: string, key: string | null): string => (key === null ? '' : `${org}|${product}|${site}|${key}`);
const TITLES: Record<string, string> = { jira: 'Jira', confluence: 'Confluence', bitbucket: 'Bitbucket', organization: 'Organization' };

function encodeAccess(rows: readonly AccessRow[]): AccessData {
  const res = new Map<string, number>();
  const prin = new Map<string, number>();
  const via = new Map<string, number>();
  const out: AccessData = { res: [], prin: [], via: [], rows: [] };
  for (const r of rows) {
    const rk = rkey(r.org, r.product, r.site, r.resource_key);
    let ri = res.get(rk);
    if (ri === undefined) {
      ri = out.res.push([r.org, r.product, r.site, r.resource_type, r.resource_key, r.resource_name]) - 1;
      res.set(rk, ri);
    }
    const pk = pkey(r.org, r.principal_id);
    let pi = prin.get(pk);
    if (pi === undefined) {
      pi = out.prin.push([r.org, r.principal_type, r.principal_id, r.display_name, r.active]) - 1;
      prin.set(pk, pi);
    }
    let vi = via.get(r.via);
    if (vi === undefined) {
      vi = out.via.push(r.via) - 1;
      via.set(r.via, vi);
    }
    out.rows.push([ri, pi, r.level, vi]);
  }
  return out;
}

/** JSON safe inside <script>: no `</script>`, no `<!--`, no line separators that old parsers choke on. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function renderReport(d: ReportData, o: RenderOptions): string {
  const dormant = d.dormant.filter((r) => r.reason !== 'suspended_but_active');
  const suspended = d.dormant.filter((r) => r.reason === 'suspended_but_active');
  const added = d.changes.filter((c) => c.change === 'added').length;
  const removed = d.changes.length - added;
  const adminAccounts = new Set(d.admins.map((a) => `${a.org}\u0000${a.account_id}`)).size;
  const access = o.access;

  const adminChart = barChart(
    'Administrators per product (distinct accounts or groups)',
    ['admins'],
    PRODUCTS.filter((p) => d.admins.some((a) => a.product === p)).map((p) => ({ label: p, values: [distinctAdmins(d.admins, p)] })),
  );
  const changeProducts = [...new Set(d.changes.map((c) => c.product))].sort();
  const changeChart = barChart(
    `Privileged access changes since ${d.previous ?? 'the previous snapshot'}`,
    ['added', 'removed'],
    changeProducts.map((p) => ({ label: p, values: [d.changes.filter((c) => c.product === p && c.change === 'added').length, d.changes.filter((c) => c.product === p && c.change === 'removed').length] })),
  );
  const reasons = count(d.dormant, (r) => r.reason);
  const dormantChart = barChart(
    'Accounts that should not have access',
    ['accounts'],
    (['inactive_90_days', 'never_active', 'suspended_but_active'] as const).filter((r) => reasons.has(r)).map((r) => ({ label: r.replace(/_/g, ' '), values: [reasons.get(r) ?? 0] })),
  );
  const domains = [...count(d.external, (r) => r.email_domain)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
  const externalChart = barChart('External accounts with access, by e-mail domain (top 10)', ['accounts'], domains.map(([label, v]) => ({ label, values: [v] })));

  // People: every account or group any table names, with what the report says about them.
  const people = new Map<string, Person>();
  const person = (org: string, id: string, name: string | null, type: string, email: string | null = null): Person => {
    const k = pkey(org, id);
    const p = people.get(k) ?? { org, id, name: '', names: [], email: '', type, notes: [] };
    if (!p.name && name) p.name = name;
    if (name && !p.names.includes(name)) p.names.push(name);
    if (!p.email && email) p.email = email;
    people.set(k, p);
    return p;
  };
  // Resources administered, per (org, product, site, principal): what is behind "project admin (3)".
  const administered = new Map<string, string[]>();
  for (const a of access ?? []) {
    if (a.principal_type === 'account' || a.principal_type === 'group') person(a.org, a.principal_id, a.display_name, a.principal_type);
    if (!a.privileged) continue;
    const k = `${a.org}\u0000${a.product}\u0000${a.site}\u0000${a.principal_id}`;
    const list = administered.get(k);
    if (list) list.push(a.resource_key);
    else administered.set(k, [a.resource_key]);
  }

  const tables: Record<string, TableSpec> = {};
  const adminCols: Column[] = [
    { label: 'org' },
    { label: 'site' },
    { label: 'account', kind: 'person', ref: 7 },
    { label: 'account id' },
    { label: 'roles' },
    ...(access ? [{ label: 'resources administered', kind: 'resources' as const, ref: 8 }] : [{ label: 'resources administered', kind: 'hidden' as const }]),
    { label: 'active' },
    { label: 'person', kind: 'hidden' },
    { label: 'resource prefix', kind: 'hidden' },
  ];
  const adminRowsAll: Cell[][] = [];
  const adminProducts = PRODUCTS.filter((p) => d.admins.some((a) => a.product === p));
  const groups = new Set(d.admins.filter((a) => a.role === 'repository admin group').map((a) => `${a.product}|${pkey(a.org, a.account_id)}`));
  for (const p of adminProducts) {
    const rows = adminLines(d.admins.filter((a) => a.product === p)).map((r): Cell[] => {
      const group = groups.has(`${p}|${pkey(r.org, r.account_id)}`);
      person(r.org, r.account_id, r.display_name, group ? 'group' : 'account');
      const keys = [...new Set(administered.get(`${r.org}\u0000${p}\u0000${r.site}\u0000${r.account_id}`) ?? [])].sort();
      return [r.org, r.site, r.display_name ?? r.account_id, r.account_id, r.roles, keys.join(', '), yesNo(r.active), pkey(r.org, r.account_id), `${r.org}|${p}|${r.site}|`];
    });
    tables[`admins-${p}`] = { columns: adminCols, rows };
    adminRowsAll.push(...rows.map((r) => [p, ...r]));
  }
  tables.admins = { columns: [{ label: 'product' }, ...adminCols.map((c) => (c.ref === undefined ? c : { ...c, ref: c.ref + 1 }))], rows: adminRowsAll };

  tables.changes = {
    columns: [
      { label: 'change' },
      { label: 'product' },
      { label: 'site' },
      { label: 'resource', kind: 'resource', ref: 12 },
      { label: 'permission' },
      { label: 'who', kind: 'person', ref: 11 },
      { label: 'principal type' },
      { label: 'principal id' },
      { label: 'made by' },
      { label: 'action' },
      { label: 'when' },
      { label: 'person', kind: 'hidden' },
      { label: 'resource key', kind: 'hidden' },
    ],
    rows: d.changes.map((r) => {
      const named = r.principal_type === 'account' || r.principal_type === 'group' || r.principal_type === 'user';
      if (named) person(r.org, r.principal_id, r.display_name, r.principal_type === 'group' ? 'group' : 'account');
      return [r.change, r.product, r.site, r.resource_key, r.permission, r.display_name ?? r.principal_id, r.principal_type, r.principal_id, r.explanation === 'explained' ? (r.actor ?? '') : 'unexplained', r.action ?? '', r.event_time ?? '', named ? pkey(r.org, r.principal_id) : '', rkey(r.org, r.product, r.site, r.resource_key)];
    }),
  };
  const dormantCols: Column[] = [
    { label: 'org' },
    { label: 'reason' },
    { label: 'name', kind: 'person', ref: 7 },
    { label: 'e-mail' },
    { label: 'directory status' },
    { label: 'days inactive', kind: 'num' },
    { label: 'products' },
    { label: 'person', kind: 'hidden' },
  ];
  const dormantRows = (rows: typeof d.dormant): Cell[][] =>
    rows.map((r) => {
      const p = person(r.org, r.account_id, r.name, 'account', r.email);
      p.notes.push(
        r.reason === 'suspended_but_active'
          ? `Suspended or deactivated in the directory (${r.directory_status ?? 'status unknown'}) but active in ${r.products}.`
          : r.reason === 'never_active'
            ? `Never active, yet has access to ${r.products}.`
            : `Inactive for ${n(r.days_inactive ?? 0)} days, yet has access to ${r.products}.`,
      );
      return [r.org, r.reason.replace(/_/g, ' '), r.name ?? r.account_id, r.email, r.directory_status, r.days_inactive, r.products, pkey(r.org, r.account_id)];
    });
  tables.dormant = { columns: dormantCols, rows: dormantRows(dormant) };
  tables.suspended = { columns: dormantCols, rows: dormantRows(suspended) };
  tables.external = {
    columns: [{ label: 'org' }, { label: 'name', kind: 'person', ref: 6 }, { label: 'e-mail' }, { label: 'domain' }, { label: 'directory status' }, { label: 'products' }, { label: 'person', kind: 'hidden' }],
    rows: d.external.map((r) => {
      person(r.org, r.account_id, r.name, 'account', r.email).notes.push(`External: e-mail domain ${r.email_domain} is not a verified domain of the organization.`);
      return [r.org, r.name ?? r.account_id, r.email, r.email_domain, r.directory_status, r.products, pkey(r.org, r.account_id)];
    }),
  };
  tables.nonhuman = {
    columns: [
      { label: 'org' },
      { label: 'kind' },
      { label: 'name' },
      { label: 'scope' },
      { label: 'owner' },
      { label: 'owner status' },
      { label: 'last used' },
      { label: 'days unused', kind: 'num' },
      { label: 'expires' },
      { label: 'target host' },
      { label: 'flags' },
    ],
    rows: d.nonHuman.map((r) => [
      r.org,
      r.kind.replace(/_/g, ' '),
      r.name ?? r.credential_id,
      r.scope,
      r.owner_name ?? r.owner_account_id,
      r.owner_status,
      r.last_used,
      r.days_unused,
      r.expires_at ?? (r.never_expires ? 'never' : null),
      r.target_host,
      [r.owner_inactive ? 'owner inactive' : '', r.never_expires ? 'never expires' : '', r.unused_90_days ? 'unused 90 days' : '', r.external_target ? 'external target' : ''].filter(Boolean).join(', '),
    ]),
  };
  if (access) {
    const res = new Map<string, { r: AccessRow; admins: Set<string>; accounts: Set<string>; groups: Set<string>; open: Set<string> }>();
    for (const a of access) {
      const k = rkey(a.org, a.product, a.site, a.resource_key);
      const e = res.get(k) ?? { r: a, admins: new Set(), accounts: new Set(), groups: new Set(), open: new Set() };
      if (a.principal_type === 'account') e.accounts.add(a.principal_id);
      else if (a.principal_type === 'group') e.groups.add(a.principal_id);
      else e.open.add(`${a.principal_id} (${a.level})`);
      if (a.privileged && (a.principal_type === 'account' || a.principal_type === 'group')) e.admins.add(a.principal_id);
      res.set(k, e);
    }
    tables.resources = {
      columns: [
        { label: 'org' },
        { label: 'product' },
        { label: 'site' },
        { label: 'type' },
        { label: 'resource', kind: 'resource', ref: 10 },
        { label: 'name' },
        { label: 'admins', kind: 'num' },
        { label: 'accounts with access', kind: 'num' },
        { label: 'groups', kind: 'num' },
        { label: 'open to' },
        { label: 'resource key', kind: 'hidden' },
      ],
      rows: [...res.entries()].map(([k, e]) => [e.r.org, e.r.product, e.r.site, e.r.resource_type, e.r.resource_key, e.r.resource_name, e.admins.size, e.accounts.size, e.groups.size, [...e.open].sort().join(', '), k]),
    };
  }
  tables.coverage = {
    columns: [{ label: 'org' }, { label: 'product' }, { label: 'site' }, { label: d.date }, { label: d.previous ?? 'previous' }],
    rows: d.coverage.map((r) => [r.org, r.product, r.site, r.on_date ? 'collected' : 'missing', d.previous ? (r.on_previous ? 'collected' : 'missing') : '']),
  };
  const inactive = new Set((access ?? []).filter((a) => a.active === false).map((a) => pkey(a.org, a.principal_id)));
  for (const [k, p] of people) if (p.type === 'account' && inactive.has(k)) p.notes.push('Marked inactive (deactivated) in a product that still grants it access.');
  // The fullest name first: products disagree (Confluence may give a first name only, the directory the full one).
  for (const p of people.values()) {
    p.names.sort((a, b) => b.length - a.length || a.localeCompare(b, 'en'));
    p.name = p.names[0] ?? '';
  }
  const peopleObj = Object.fromEntries([...people.entries()].sort((a, b) => (a[1].name || a[1].id).localeCompare(b[1].name || b[1].id, 'en')));
  const data = { date: d.date, previous: d.previous, tables, people: peopleObj, access: access ? encodeAccess(access) : null };

  const tbl = (id: string): string => `<div id="t-${id}" class="tbl"><p class="meta">${n(tables[id]?.rows.length ?? 0)} rows (the table needs JavaScript).</p></div>`;
  const toc: [string, string, number | null][] = [
    ['summary', 'Summary', null],
    ['people', 'Find a person', people.size],
    ['admins', 'Administrators', adminAccounts],
    ...adminProducts.map((p): [string, string, number] => [`admins-${p}`, `· ${TITLES[p] ?? p}`, distinctAdmins(d.admins, p)]),
    ['changes', 'Privileged changes', d.changes.length],
    ['dormant', 'Dormant accounts', dormant.length],
    ['suspended', 'Suspended but active', suspended.length],
    ['external', 'External accounts', d.external.length],
    ['nonhuman', 'Non-human access', d.nonHuman.length],
    ...(access ? [['resources', 'Resources', tables.resources?.rows.length ?? 0] as [string, string, number]] : []),
    ['coverage', 'Snapshots covered', d.coverage.length],
  ];
  const noDirectory = d.directory ? '' : '<p class="warn">The organization directory (admin product) is not in this snapshot: dormant, suspended and external accounts need it. Add an admin unit to the config.</p>';
  const adminSections = adminProducts
    .map((p) => `<h3 id="admins-${p}">${esc(TITLES[p] ?? p)} <span class="n">${n(distinctAdmins(d.admins, p))}</span></h3>\n${tbl(`admins-${p}`)}`)
    .join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atlassian access report ${esc(d.date)}</title>
<style>
*{box-sizing:border-box}
body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans",Helvetica,Arial,sans-serif;color:#172b4d;margin:0}
a{color:#0052cc}
.layout{display:grid;grid-template-columns:220px minmax(0,1fr);gap:0 28px;max-width:1440px;margin:0 auto;padding:0 16px}
nav#toc{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:18px 0;font-size:13px}
nav#toc b{display:block;margin-bottom:6px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5e6c84}
nav#toc a{display:flex;justify-content:space-between;gap:8px;padding:3px 6px;border-radius:3px;text-decoration:none;color:#172b4d}
nav#toc a:hover{background:#ebecf0}nav#toc a span{color:#5e6c84}
header{padding:18px 0 4px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #dfe1e6;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5e6c84}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #dfe1e6;border-radius:6px;padding:10px 14px;min-width:150px;color:#172b4d;text-decoration:none}a.card:hover{border-color:#0052cc}
.card b{display:block;font-size:24px}.charts{display:flex;flex-wrap:wrap;gap:24px}.ct{font-weight:600;font-size:13px;fill:#172b4d}.cl{font-size:12px;fill:#172b4d}.cv{font-size:11px;fill:#5e6c84}
.finder{background:#f4f5f7;border-radius:6px;padding:10px 14px;margin:12px 0}
.finder input{width:min(480px,100%);font-size:15px;padding:6px 10px;border:1px solid #c1c7d0;border-radius:4px}
#find-results{margin:8px 0 0;padding-left:18px}#find-results li{margin:2px 0}
.tbl .bar{display:flex;gap:8px;align-items:center;margin:6px 0}.tbl .bar input.q{flex:0 1 280px;padding:4px 8px;border:1px solid #c1c7d0;border-radius:4px}
.tbl button,.views button{font:inherit;font-size:12.5px;padding:3px 9px;border:1px solid #c1c7d0;border-radius:4px;background:#fff;cursor:pointer}
.tbl button:disabled{opacity:.45;cursor:default}
.count{color:#5e6c84;font-size:12.5px}.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #ebecf0;vertical-align:top}
th{background:#f4f5f7;position:sticky;top:0;z-index:1}th button.sort{border:0;background:none;padding:0;font-weight:600;font-size:12.5px;color:#172b4d}
th[aria-sort=ascending] button.sort::after{content:" ▲"}th[aria-sort=descending] button.sort::after{content:" ▼"}
tr.filters td{background:#fafbfc;padding:2px 4px}tr.filters input,tr.filters select{width:100%;min-width:60px;font-size:12px;padding:1px 3px;border:1px solid #dfe1e6;border-radius:3px}
td{overflow-wrap:break-word}.none{color:#5e6c84}.pager{margin:6px 0;display:flex;gap:6px;align-items:center;font-size:12.5px;color:#5e6c84}
.warn{background:#fffae6;border:1px solid #ffe380;padding:8px 12px;border-radius:4px}.n{color:#5e6c84;font-weight:normal}
ul.notes{background:#fffae6;border:1px solid #ffe380;border-radius:4px;padding:8px 12px 8px 28px}
.views h2{margin-top:18px}
@media (max-width:900px){.layout{grid-template-columns:1fr}nav#toc{position:static;max-height:none}}
@media print{
  nav#toc,.finder,.tbl .bar input,.tbl .bar button,tr.filters,.pager,noscript{display:none!important}
  .layout{display:block;max-width:none;padding:0}body{font-size:10pt}
  th{position:static}thead{display:table-header-group}tr{break-inside:avoid}h2,h3{break-after:avoid}
  a{color:inherit;text-decoration:none}.scroll{overflow:visible}section{break-inside:auto}
}
</style>
</head>
<body>
<div class="layout">
<nav id="toc" aria-label="Contents"><b>Contents</b>
${toc.map(([id, label, c]) => `<a href="#${id}">${esc(label)}${c === null ? '' : `<span>${n(c)}</span>`}</a>`).join('\n')}
</nav>
<div>
<header id="top">
<h1>Atlassian access report</h1>
<p class="meta">Snapshot <b>${esc(d.date)}</b>${d.previous ? `, compared with <b>${esc(d.previous)}</b>` : ' (no earlier snapshot to compare with)'} · data ${esc(o.source)} · generated ${esc(o.generatedAt)}</p>
</header>
<section id="people" class="finder">
<label for="find"><b>Find a person or group</b> — name, account id or e-mail; opens everything they can reach and how</label><br>
<input id="find" type="search" autocomplete="off" placeholder="e.g. a name or an e-mail">
<ul id="find-results"></ul>
</section>
<noscript><p class="warn">Search, sorting, the tables' rows and the person and resource views need JavaScript: open this file in a web browser. <code>npm run report -- --format json</code> gives the same figures as data.</p></noscript>
<section id="person" class="views" hidden></section>
<section id="resource" class="views" hidden></section>
<main id="main">
<section id="summary">
<div class="cards">
<a class="card" id="card-admins" href="#admins"><b>${n(adminAccounts)}</b>administrators</a>
<a class="card" id="card-changes" href="#changes"><b>+${n(added)} / −${n(removed)}</b>privileged changes</a>
<a class="card" id="card-dormant" href="#dormant"><b>${n(new Set(dormant.map((r) => `${r.org}\u0000${r.account_id}`)).size)}</b>dormant accounts with access</a>
<a class="card" id="card-suspended" href="#suspended"><b>${n(suspended.length)}</b>suspended but active</a>
<a class="card" id="card-external" href="#external"><b>${n(d.external.length)}</b>external accounts</a>
<a class="card" id="card-nonhuman" href="#nonhuman"><b>${n(d.nonHuman.length)}</b>flagged non-human credentials</a>
</div>
${noDirectory}
<div class="charts">
${adminChart}
${changeChart}
${dormantChart}
${externalChart}
</div>
</section>
<section id="admins">
<h2>Administrators per product <span class="n">${n(adminAccounts)}</span></h2>
<p class="meta">Jira: ADMINISTER_PROJECTS on a project that is not in the trash, and members of admin groups; Confluence: space admins and admin groups; Bitbucket: repository admins (workspace owners included); organization: directory admin roles. "project admin (3)" is three projects: they are listed beside it and each opens who else can reach it.</p>
${adminSections || '<p class="none">None.</p>'}
</section>
<section id="changes">
<h2>Privileged access changes since the previous snapshot <span class="n">${n(d.changes.length)}</span></h2>
${d.previous ? tbl('changes') : '<p class="none">No earlier snapshot.</p>'}
</section>
<section id="dormant">
<h2>Dormant accounts that keep access <span class="n">${n(dormant.length)}</span></h2>
<p class="meta">Active in the directory, with product access, not active in any product for 90 days or more (directory last-active), or never.</p>
${tbl('dormant')}
</section>
<section id="suspended">
<h2>Suspended in the directory, active in a product <span class="n">${n(suspended.length)}</span></h2>
${tbl('suspended')}
</section>
<section id="external">
<h2>External accounts with access <span class="n">${n(d.external.length)}</span></h2>
<p class="meta">E-mail domain is not a verified domain of the organization.</p>
${tbl('external')}
</section>
<section id="nonhuman">
<h2>Non-human access that needs a look <span class="n">${n(d.nonHuman.length)}</span></h2>
<p class="meta">API tokens, service accounts and their tokens and OAuth clients, Bitbucket deploy keys and webhooks, flagged: owner suspended or deactivated (or service account not active), never expires, unused for 90 days (never used: since creation), webhook to a host outside the organization's verified domains. Every one, flagged or not: <code>npm run query -- --view non_human_access</code>.</p>
${tbl('nonhuman')}
</section>
${access ? `<section id="resources">
<h2>Resources <span class="n">${n(tables.resources?.rows.length ?? 0)}</span></h2>
<p class="meta">Every project, space and repository with who can reach it (Jira: browse or administer). Open one to see everyone and through which path.</p>
${tbl('resources')}
</section>` : ''}
<section id="coverage">
<h2>Snapshots covered <span class="n">${n(d.coverage.length)}</span></h2>
<p class="meta">Every unit (product and site, Cloud and Data Center) that published data on these dates.</p>
${tbl('coverage')}
</section>
</main>
</div>
</div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
