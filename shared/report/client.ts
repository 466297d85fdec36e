/**
 * The report page's script: plain ES2020, no library, inlined in the HTML so the page works from disk, a mail
 * attachment or an S3 link with no server and no network. It reads the JSON in <script id="report-data"> and
 * gives every table a search box, per-column filters, sorting, paging (nothing clipped: "Show all") and CSV
 * export, and renders the person view (#person/<org>|<account>) and the resource view
 * (#resource/<org>|<product>|<site>|<key>) from the same rows. Written as a string (not a bundled function) so
 * that esbuild's helpers can never leak into it; test/report/report-browser.test.ts drives it in Chromium.
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var PAGE = 50;
  var nf = new Intl.NumberFormat('en');
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    }
    if (kids) kids.forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function str(v) { return v === null || v === undefined ? '' : String(v); }
  function personHref(key) { return '#person/' + encodeURIComponent(key); }
  function resourceHref(key) { return '#resource/' + encodeURIComponent(key); }
  function csvCell(v) { var s = str(v); return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }

  // ---- one table: search, filters, sort, pages, CSV ----
  var tables = [];
  function Table(host, spec, name) {
    var self = this;
    this.spec = spec; this.name = name; this.q = ''; this.filters = {}; this.sort = -1; this.dir = 1; this.page = 0; this.all = false;
    this.visible = [];
    spec.columns.forEach(function (c, i) { if (c.kind !== 'hidden') self.visible.push(i); });
    host.textContent = '';
    host.classList.add('tbl');
    if (!spec.rows.length) { host.appendChild(el('p', { cls: 'none', text: 'None.' })); return; }
    this.search = el('input', { type: 'search', cls: 'q', placeholder: 'Search this table', 'aria-label': 'Search ' + name, oninput: function () { self.q = this.value.toLowerCase(); self.page = 0; self.draw(); } });
    this.count = el('span', { cls: 'count', 'aria-live': 'polite' });
    var csv = el('button', { type: 'button', cls: 'csv', text: 'Export CSV', onclick: function () { self.exportCsv(); } });
    host.appendChild(el('div', { cls: 'bar' }, [this.search, csv, this.count]));
    var head = el('tr');
    var filt = el('tr', { cls: 'filters' });
    this.ths = [];
    this.visible.forEach(function (i) {
      var c = spec.columns[i];
      var b = el('button', { type: 'button', cls: 'sort', text: c.label, title: 'Sort by ' + c.label, onclick: function () { self.sortBy(i); } });
      var th = el('th', { scope: 'col', 'aria-sort': 'none' }, [b]);
      self.ths.push(th); head.appendChild(th);
      var seen = {};
      var n = 0;
      for (var r = 0; r < spec.rows.length && n <= 30; r++) { var v = str(spec.rows[r][i]); if (!(v in seen)) { seen[v] = 1; n++; } }
      var ctl;
      if (c.kind !== 'num' && n <= 30 && spec.rows.length > 1) {
        ctl = el('select', { 'aria-label': 'Filter ' + c.label }, [el('option', { value: '', text: 'all' })].concat(Object.keys(seen).sort().map(function (v) { return el('option', { value: v, text: v === '' ? '(empty)' : v }); })));
        ctl.addEventListener('change', function () { if (this.value === '' && this.selectedIndex === 0) delete self.filters[i]; else self.filters[i] = { eq: this.value }; self.page = 0; self.draw(); });
      } else {
        ctl = el('input', { type: 'search', placeholder: 'filter', 'aria-label': 'Filter ' + c.label });
        ctl.addEventListener('input', function () { if (this.value) self.filters[i] = { has: this.value.toLowerCase() }; else delete self.filters[i]; self.page = 0; self.draw(); });
      }
      filt.appendChild(el('td', null, [ctl]));
    });
    this.tbody = el('tbody');
    host.appendChild(el('div', { cls: 'scroll' }, [el('table', null, [el('thead', null, [head, filt]), this.tbody])]));
    this.pager = el('div', { cls: 'pager' });
    host.appendChild(this.pager);
    tables.push(this);
    this.draw();
  }
  Table.prototype.sortBy = function (i) {
    if (this.sort === i) this.dir = -this.dir; else { this.sort = i; this.dir = 1; }
    var self = this;
    this.ths.forEach(function (th, k) { th.setAttribute('aria-sort', self.visible[k] === i ? (self.dir > 0 ? 'ascending' : 'descending') : 'none'); });
    this.page = 0; this.draw();
  };
  Table.prototype.rows = function () {
    var self = this, spec = this.spec, q = this.q, f = this.filters;
    var out = spec.rows.filter(function (r) {
      for (var k in f) { var v = str(r[k]); if ('eq' in f[k] ? v !== f[k].eq : v.toLowerCase().indexOf(f[k].has) < 0) return false; }
      if (!q) return true;
      for (var j = 0; j < self.visible.length; j++) if (str(r[self.visible[j]]).toLowerCase().indexOf(q) >= 0) return true;
      return false;
    });
    if (this.sort >= 0) {
      var i = this.sort, dir = this.dir, num = spec.columns[i].kind === 'num';
      out = out.map(function (r, n) { return [r, n]; });
      out.sort(function (a, b) {
        var x = a[0][i], y = b[0][i], d;
        if (num) d = (x === null ? -Infinity : Number(x)) - (y === null ? -Infinity : Number(y));
        else d = str(x).localeCompare(str(y), 'en', { numeric: true, sensitivity: 'base' });
        return d ? d * dir : a[1] - b[1];
      });
      out = out.map(function (p) { return p[0]; });
    }
    return out;
  };
  Table.prototype.cell = function (r, i) {
    var c = this.spec.columns[i], v = str(r[i]);
    if (c.kind === 'person' && r[c.ref]) return el('a', { href: personHref(r[c.ref]), cls: 'person', text: v || r[c.ref] });
    if (c.kind === 'resource' && r[c.ref]) return el('a', { href: resourceHref(r[c.ref]), cls: 'resource', text: v });
    if (c.kind === 'resources' && r[c.ref] && v) {
      var span = el('span');
      v.split(', ').forEach(function (k, n) { if (n) span.appendChild(document.createTextNode(', ')); span.appendChild(el('a', { href: resourceHref(r[c.ref] + k), cls: 'resource', text: k })); });
      return span;
    }
    return document.createTextNode(c.kind === 'num' && v !== '' ? nf.format(Number(v)) : v);
  };
  Table.prototype.draw = function () {
    var self = this, rows = this.rows(), total = this.spec.rows.length;
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (this.page >= pages) this.page = pages - 1;
    var from = this.all ? 0 : this.page * PAGE, to = this.all ? rows.length : Math.min(rows.length, from + PAGE);
    var frag = document.createDocumentFragment();
    for (var n = from; n < to; n++) {
      var tr = el('tr');
      this.visible.forEach(function (i) { tr.appendChild(el('td', null, [self.cell(rows[n], i)])); });
      frag.appendChild(tr);
    }
    this.tbody.textContent = '';
    this.tbody.appendChild(frag);
    if (!rows.length) this.tbody.appendChild(el('tr', null, [el('td', { colspan: String(this.visible.length), cls: 'none', text: 'No row matches.' })]));
    this.count.textContent = (rows.length ? 'rows ' + nf.format(from + 1) + '–' + nf.format(to) + ' of ' + nf.format(rows.length) : '0 rows') + (rows.length !== total ? ' (filtered from ' + nf.format(total) + ')' : '');
    this.pager.textContent = '';
    if (rows.length > PAGE) {
      this.pager.appendChild(el('button', { type: 'button', text: '‹ Previous', disabled: this.all || this.page === 0 ? 'disabled' : null, onclick: function () { self.page--; self.draw(); } }));
      this.pager.appendChild(el('span', { text: this.all ? ' all rows ' : ' page ' + (this.page + 1) + ' of ' + pages + ' ' }));
      var next = el('button', { type: 'button', text: 'Next ›', onclick: function () { self.page++; self.draw(); } });
      if (this.all || this.page >= pages - 1) next.disabled = true;
      this.pager.appendChild(next);
      this.pager.appendChild(el('button', { type: 'button', cls: 'all', text: this.all ? 'Show pages of ' + PAGE : 'Show all ' + nf.format(rows.length) + ' rows', onclick: function () { self.all = !self.all; self.draw(); } }));
    }
  };
  Table.prototype.exportCsv = function () {
    var self = this, spec = this.spec;
    var lines = [this.visible.map(function (i) { return csvCell(spec.columns[i].label); }).join(',')];
    this.rows().forEach(function (r) { lines.push(self.visible.map(function (i) { return csvCell(r[i]); }).join(',')); });
    var blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    var a = el('a', { href: URL.createObjectURL(blob), download: this.name + '-' + D.date + '.csv' });
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
  };

  function mount(id, spec, name) { var host = document.getElementById(id); if (host) new Table(host, spec, name); }
  Object.keys(D.tables).forEach(function (id) { mount('t-' + id, D.tables[id], id); });

  // ---- access index ----
  var A = D.access;
  var byPrin = {}, byRes = {};
  function prinKey(p) { return p[0] + '|' + p[2]; }
  function resKey(r) { return r[0] + '|' + r[1] + '|' + r[2] + '|' + r[4]; }
  if (A) A.rows.forEach(function (row, n) {
    var pk = prinKey(A.prin[row[1]]), rk = resKey(A.res[row[0]]);
    (byPrin[pk] = byPrin[pk] || []).push(n);
    (byRes[rk] = byRes[rk] || []).push(n);
  });
  function yesNo(v) { return v === null || v === undefined ? '' : v ? 'yes' : 'no'; }

  // ---- find a person ----
  var keys = Object.keys(D.people);
  var box = document.getElementById('find');
  var list = document.getElementById('find-results');
  function find() {
    var q = box.value.trim().toLowerCase();
    list.textContent = '';
    if (!q) return;
    var hits = keys.filter(function (k) { var p = D.people[k]; return (p.names.join(' ') + ' ' + p.id + ' ' + p.email).toLowerCase().indexOf(q) >= 0; });
    hits.slice(0, 25).forEach(function (k) {
      var p = D.people[k];
      var named = p.names.filter(function (x) { return x.toLowerCase().indexOf(q) >= 0; })[0] || p.name || p.id;
      list.appendChild(el('li', null, [el('a', { href: personHref(k), text: named }), el('span', { cls: 'meta', text: ' ' + [p.type, p.email || p.id, 'org ' + p.org].filter(Boolean).join(' · ') })]));
    });
    if (hits.length > 25) list.appendChild(el('li', { cls: 'meta', text: nf.format(hits.length - 25) + ' more: type more of the name' }));
    if (!hits.length) list.appendChild(el('li', { cls: 'meta', text: 'No account or group matches.' }));
  }
  box.addEventListener('input', find);

  // ---- person and resource views ----
  function subset(id, pred) {
    var t = D.tables[id];
    return { columns: t.columns, rows: t.rows.filter(pred) };
  }
  function refCol(id, kind) { var cs = D.tables[id].columns; for (var i = 0; i < cs.length; i++) if (cs[i].kind === kind) return cs[i].ref; return -1; }
  function section(view, title, spec, name, note) {
    var host = el('div', { id: 'v-' + name });
    view.appendChild(el('h3', null, [title + ' ', el('span', { cls: 'n', text: nf.format(spec.rows.length) })]));
    if (note) view.appendChild(el('p', { cls: 'meta', text: note }));
    view.appendChild(host);
    new Table(host, spec, name);
  }
  var NO_ACCESS = 'Per-resource access is not in this copy of the report (the workflow writes administrators only); npm run report over a synced folder lists it.';
  function showPerson(key) {
    var view = document.getElementById('person');
    view.textContent = '';
    var p = D.people[key] || { name: key.split('|')[1], names: [], id: key.split('|')[1], org: key.split('|')[0], email: '', type: '', notes: [] };
    view.appendChild(el('h2', { text: (p.name || p.id) }));
    if (p.names.length > 1) view.appendChild(el('p', { cls: 'meta', text: 'Also named: ' + p.names.filter(function (x) { return x !== p.name; }).join(', ') }));
    view.insertBefore(el('p', { cls: 'meta' }, [[p.type, p.id, p.email, 'org ' + p.org].filter(Boolean).join(' · ')]), view.children[1]);
    if (p.notes.length) view.appendChild(el('ul', { cls: 'notes' }, p.notes.map(function (t) { return el('li', { text: t }); })));
    var ac = refCol('admins', 'person');
    section(view, 'Administrative roles', subset('admins', function (r) { return r[ac] === key; }), 'person-admin-roles');
    if (A) {
      var rows = (byPrin[key] || []).map(function (n) {
        var row = A.rows[n], res = A.res[row[0]];
        return [res[1], res[2], res[3], res[4], res[5], row[2], A.via[row[3]], resKey(res)];
      });
      section(view, 'Everything this ' + (p.type === 'group' ? 'group' : 'account') + ' can reach', { columns: [
        { label: 'product' }, { label: 'site' }, { label: 'type' }, { label: 'resource', kind: 'resource', ref: 7 }, { label: 'name' }, { label: 'level' }, { label: 'through' }, { label: 'key', kind: 'hidden' }] , rows: rows }, 'person-access',
        'Direct grants and every group, role or ownership that gives access' + (p.type === 'group' ? '.' : '; grants to anyone, anonymous or all licensed users are on each resource\'s page.'));
    } else view.appendChild(el('p', { cls: 'meta', text: NO_ACCESS }));
    var cc = refCol('changes', 'person');
    if (D.tables.changes) section(view, 'Privileged changes since the previous snapshot', subset('changes', function (r) { return r[cc] === key; }), 'person-changes');
    show('person');
  }
  function showResource(key) {
    var view = document.getElementById('resource');
    view.textContent = '';
    var parts = key.split('|');
    var rows = A ? (byRes[key] || []).map(function (n) {
      var row = A.rows[n], pr = A.prin[row[1]];
      return [pr[3] || pr[2], pr[1], pr[2], row[2], A.via[row[3]], yesNo(pr[4]), prinKey(pr)];
    }) : [];
    var res = A && byRes[key] ? A.res[A.rows[byRes[key][0]][0]] : null;
    view.appendChild(el('h2', { text: parts[3] + (res && res[5] && res[5] !== parts[3] ? ' — ' + res[5] : '') }));
    view.appendChild(el('p', { cls: 'meta', text: [parts[1] + ' ' + (res ? res[3] : 'resource'), parts[2], 'org ' + parts[0]].join(' · ') }));
    if (A) section(view, 'Everyone who can reach it', { columns: [
      { label: 'who', kind: 'person', ref: 6 }, { label: 'type' }, { label: 'id' }, { label: 'level' }, { label: 'through' }, { label: 'active' }, { label: 'key', kind: 'hidden' }], rows: rows }, 'resource-access',
      'Accounts (groups expanded to their members), groups Bitbucket does not expand, and anyone / access classes.');
    else view.appendChild(el('p', { cls: 'meta', text: NO_ACCESS }));
    var rc = refCol('changes', 'resource');
    if (D.tables.changes) section(view, 'Privileged changes since the previous snapshot', subset('changes', function (r) { return r[rc] === key; }), 'resource-changes');
    show('resource');
  }
  function show(which) {
    ['person', 'resource'].forEach(function (id) { document.getElementById(id).hidden = id !== which; });
    document.getElementById('main').hidden = !!which;
    window.scrollTo(0, 0);
  }
  function route() {
    var h = location.hash;
    if (h.indexOf('#person/') === 0) showPerson(decodeURIComponent(h.slice(8)));
    else if (h.indexOf('#resource/') === 0) showResource(decodeURIComponent(h.slice(10)));
    else {
      show('');
      var target = h && document.getElementById(h.slice(1));
      if (target) target.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', route);
  route();

  // ---- print every row, not one page ----
  var saved = [];
  window.addEventListener('beforeprint', function () { saved = tables.map(function (t) { return t.all; }); tables.forEach(function (t) { t.all = true; t.draw(); }); });
  window.addEventListener('afterprint', function () { tables.forEach(function (t, n) { t.all = !!saved[n]; t.draw(); }); });
  document.documentElement.classList.add('js');
})();
`;
