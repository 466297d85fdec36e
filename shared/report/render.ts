import type { AdminRow, ChangeRow, DormantRow, ExternalRow, ReportData } from './data.ts';

/**
 * The access report as one self-contained HTML page: inline CSS and SVG, no script, no external request,
 * so it opens from a bucket, a mail attachment or a file share as it is. Shared by `npm run report` and the
 * workflow's finalize step.
 */

export interface RenderOptions {
  /** When the figures were computed (ISO-8601). */
  generatedAt: string;
  /** Where the data came from, e.g. `./out` or `s3://bucket/data/`. */
  source: string;
  /** Rows shown per table; the rest is counted. @default 500 */
  maxRows?: number;
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
  const labelW = 160;
  const plotW = 300;
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

function table<T>(rows: readonly T[], cols: readonly [string, (r: T) => unknown][], max: number, more: string): string {
  if (!rows.length) return '<p class="none">None.</p>';
  const head = `<tr>${cols.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows
    .slice(0, max)
    .map((r) => `<tr>${cols.map(([, f]) => `<td>${esc(f(r))}</td>`).join('')}</tr>`)
    .join('\n');
  const tail = rows.length > max ? `<p class="more">${rows.length - max} more rows: ${esc(more)}</p>` : '';
  return `<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>${tail}`;
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

export function renderReport(d: ReportData, o: RenderOptions): string {
  const max = o.maxRows ?? 500;
  const dormant = d.dormant.filter((r) => r.reason !== 'suspended_but_active');
  const suspended = d.dormant.filter((r) => r.reason === 'suspended_but_active');
  const added = d.changes.filter((c) => c.change === 'added').length;
  const removed = d.changes.length - added;
  const adminAccounts = new Set(d.admins.map((a) => `${a.org}\u0000${a.account_id}`)).size;

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
  const externalChart = barChart('External accounts with access, by e-mail domain (top 10)', ['accounts'], domains.map(([label, n]) => ({ label, values: [n] })));

  const adminCols: [string, (r: AdminLine) => unknown][] = [
    ['org', (r) => r.org],
    ['site', (r) => r.site],
    ['account', (r) => r.display_name ?? r.account_id],
    ['account id', (r) => r.account_id],
    ['roles', (r) => r.roles],
    ['active', (r) => yesNo(r.active)],
  ];
  const adminSections = PRODUCTS.filter((p) => d.admins.some((a) => a.product === p))
    .map((p) => {
      const rows = adminLines(d.admins.filter((a) => a.product === p));
      return `<h3>${esc(p)} <span class="n">${distinctAdmins(d.admins, p)}</span></h3>${table(rows, adminCols, max, `npm run report -- --format json, or query the ${p} views`)}`;
    })
    .join('\n');
  const changeCols: [string, (r: ChangeRow) => unknown][] = [
    ['change', (r) => r.change],
    ['product', (r) => r.product],
    ['site', (r) => r.site],
    ['resource', (r) => r.resource_key],
    ['permission', (r) => r.permission],
    ['who', (r) => r.display_name ?? r.principal_id],
    ['principal', (r) => `${r.principal_type} ${r.principal_id}`],
  ];
  const dormantCols: [string, (r: DormantRow) => unknown][] = [
    ['org', (r) => r.org],
    ['reason', (r) => r.reason.replace(/_/g, ' ')],
    ['name', (r) => r.name ?? r.account_id],
    ['e-mail', (r) => r.email],
    ['directory status', (r) => r.directory_status],
    ['days inactive', (r) => r.days_inactive ?? 'never'],
    ['products', (r) => r.products],
  ];
  const externalCols: [string, (r: ExternalRow) => unknown][] = [
    ['org', (r) => r.org],
    ['name', (r) => r.name ?? r.account_id],
    ['e-mail', (r) => r.email],
    ['domain', (r) => r.email_domain],
    ['directory status', (r) => r.directory_status],
    ['products', (r) => r.products],
  ];
  const coverage = table(
    d.coverage,
    [
      ['org', (r) => r.org],
      ['product', (r) => r.product],
      ['site', (r) => r.site],
      [d.date, (r) => (r.on_date ? 'collected' : 'missing')],
      [d.previous ?? 'previous', (r) => (d.previous ? (r.on_previous ? 'collected' : 'missing') : '')],
    ],
    max,
    'see the run manifests',
  );
  const noDirectory = d.directory ? '' : '<p class="warn">The organization directory (admin product) is not in this snapshot: dormant, suspended and external accounts need it. Add an admin unit to the config.</p>';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atlassian access report ${esc(d.date)}</title>
<style>
body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans",Helvetica,Arial,sans-serif;color:#172b4d;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #dfe1e6;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5e6c84}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.card{border:1px solid #dfe1e6;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:24px}.charts{display:flex;flex-wrap:wrap;gap:24px}.ct{font-weight:600;font-size:13px;fill:#172b4d}.cl{font-size:12px;fill:#172b4d}.cv{font-size:11px;fill:#5e6c84}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #ebecf0;vertical-align:top}th{background:#f4f5f7;position:sticky;top:0}
td{word-break:break-word}.none{color:#5e6c84}.more{color:#5e6c84;font-style:italic}.warn{background:#fffae6;border:1px solid #ffe380;padding:8px 12px;border-radius:4px}.n{color:#5e6c84;font-weight:normal}
</style>
</head>
<body>
<h1>Atlassian access report</h1>
<p class="meta">Snapshot <b>${esc(d.date)}</b>${d.previous ? `, compared with <b>${esc(d.previous)}</b>` : ' (no earlier snapshot to compare with)'} · data ${esc(o.source)} · generated ${esc(o.generatedAt)}</p>
<div class="cards">
<div class="card" id="card-admins"><b>${adminAccounts}</b>administrators</div>
<div class="card" id="card-changes"><b>+${added} / −${removed}</b>privileged changes</div>
<div class="card" id="card-dormant"><b>${new Set(dormant.map((r) => `${r.org}\u0000${r.account_id}`)).size}</b>dormant accounts with access</div>
<div class="card" id="card-suspended"><b>${suspended.length}</b>suspended but active</div>
<div class="card" id="card-external"><b>${d.external.length}</b>external accounts</div>
</div>
${noDirectory}
<div class="charts">
${adminChart}
${changeChart}
${dormantChart}
${externalChart}
</div>
<h2 id="admins">Administrators per product</h2>
<p class="meta">Jira: ADMINISTER_PROJECTS on a project that is not in the trash, and members of admin groups; Confluence: space admins and admin groups; Bitbucket: repository admins (workspace owners included); organization: directory admin roles.</p>
${adminSections || '<p class="none">None.</p>'}
<h2 id="changes">Privileged access changes since the previous snapshot</h2>
${d.previous ? table(d.changes, changeCols, max, `npm run query -- --view access_changes --date ${d.date} --where privileged`) : '<p class="none">No earlier snapshot.</p>'}
<h2 id="dormant">Dormant accounts that keep access</h2>
<p class="meta">Active in the directory, with product access, not active in any product for 90 days or more (directory last-active), or never.</p>
${table(dormant, dormantCols, max, `npm run query -- --view dormant_access --date ${d.date}`)}
<h2 id="suspended">Suspended in the directory, active in a product</h2>
${table(suspended, dormantCols, max, `npm run query -- --view dormant_access --date ${d.date} --where "reason = 'suspended_but_active'"`)}
<h2 id="external">External accounts with access</h2>
<p class="meta">E-mail domain is not a verified domain of the organization.</p>
${table(d.external, externalCols, max, `npm run query -- --view external_access --date ${d.date}`)}
<h2 id="coverage">Snapshots covered</h2>
${coverage}
</body>
</html>
`;
}
