/**
 * The demo figures the README quotes, from one output folder: `npm run demo` then
 * `npx tsx test/support/readme-figures.ts [out]`. Every figure in the README's "Try it", questions and views
 * sections comes from one run of this pair (the README says the date beside them). The questions that compare
 * two snapshots run against the date itself when the folder has one snapshot (no change: 0 rows).
 */
import { ALL_TABLES } from '../../functions/index.ts';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { loadQuestions } from '../../shared/sql/questions.ts';
import { latestAndPrevious, snapshotDates } from '../../shared/sql/snapshots.ts';

const out = process.argv[2] ?? 'out';
const n = (v: unknown): string => Number(v).toLocaleString('en-US');

async function main(): Promise<void> {
  const { date, previous } = latestAndPrevious(await snapshotDates(out));
  if (!date) throw new Error(`no snapshot in ${out}: run npm run demo first`);
  const db = await LocalCatalog.open(out, { tables: ALL_TABLES });
  const one = async (sql: string) => (await db.query(sql)).rows[0] ?? {};
  const print = (label: string, value: string) => process.stdout.write(`${label.padEnd(52)} ${value}\n`);
  try {
    const d = `'${date}'`;
    process.stdout.write(`README figures of ${out}, snapshot ${date}${previous ? ` (previous ${previous})` : ''}\n\n`);
    for (const v of ['jira_effective_permissions', 'confluence_effective_space_access', 'bitbucket_effective_repository_access', 'effective_access', 'dormant_access', 'external_access', 'identities', 'privileged_group_members', 'snapshots']) {
      print(`view ${v}`, n((await one(`SELECT count(*) AS c FROM ${v} WHERE dt = ${d}`)).c));
    }
    print('view access_changes (two dates)', n((await one(`SELECT count(*) AS c FROM access_changes WHERE to_dt = ${d}`)).c));
    for (const q of loadQuestions()) {
      const values = q.params.map((p) => (p.name === 'from_dt' ? previous ?? date : date));
      print(`Q${q.number} ${q.title.slice(0, 46)}`, n((await db.query(`SELECT count(*) AS c FROM (${q.sql}) x`, values)).rows[0]?.c));
    }
    // Q1's breakdown per product: rows, accounts and groups, resources.
    const q1 = loadQuestions().find((q) => q.number === 1);
    if (q1) {
      const r = await db.query(
        `SELECT product, count(*) AS rows_, count(DISTINCT account_id) AS who, count(DISTINCT resource_key) AS res FROM (${q1.sql}) x GROUP BY product ORDER BY product`,
        q1.params.map(() => date),
      );
      for (const row of r.rows) print(`Q1 ${row.product}: rows / principals / resources`, `${n(row.rows_)} / ${n(row.who)} / ${n(row.res)}`);
    }
    // Q3's breakdown: distinct accounts per reason, and rows of suspended-but-active.
    const r3 = await db.query(`SELECT reason, count(DISTINCT account_id) AS accounts, count(*) AS rows_ FROM dormant_access WHERE dt = ${d} GROUP BY reason ORDER BY reason`);
    for (const row of r3.rows) print(`Q3 ${row.reason}: accounts / rows`, `${n(row.accounts)} / ${n(row.rows_)}`);
    // Q4's breakdown: who the grant is to, per product.
    const r4 = await db.query(`SELECT product, principal_id, count(*) AS rows_ FROM effective_access WHERE dt = ${d} AND principal_type IN ('anyone', 'access_class') GROUP BY 1, 2 ORDER BY 1, 2`);
    for (const row of r4.rows) print(`Q4 ${row.product} to ${row.principal_id}: rows`, n(row.rows_));
    // Q5: external accounts that administer something, and their grants per product.
    const r5 = await db.query(
      `SELECT e.product, count(DISTINCT e.account_id) AS accounts, count(*) AS grants FROM external_access x JOIN effective_access e
         ON e.dt = x.dt AND e.org = x.org AND e.account_id = x.account_id AND e.privileged WHERE x.dt = ${d} GROUP BY 1 ORDER BY 1`,
    );
    for (const row of r5.rows) print(`Q5 admin grants of external accounts in ${row.product} (accounts)`, `${n(row.grants)} (${n(row.accounts)})`);
    print(
      'Q5 external accounts with an admin grant',
      n((await one(`SELECT count(DISTINCT x.account_id) AS c FROM external_access x JOIN effective_access e ON e.dt = x.dt AND e.org = x.org AND e.account_id = x.account_id AND e.privileged WHERE x.dt = ${d}`)).c),
    );
    print('Q5 external e-mail domains', String((await one(`SELECT string_agg(DISTINCT email_domain, ', ') AS c FROM external_access WHERE dt = ${d}`)).c));
    // Q6: memberships per product and group, and the inactive ones.
    const r6 = await db.query(`SELECT product, group_name, count(*) AS rows_ FROM privileged_group_members WHERE dt = ${d} GROUP BY 1, 2 ORDER BY 1, 3 DESC`);
    for (const row of r6.rows) print(`Q6 ${row.product} ${row.group_name}`, n(row.rows_));
    print('Q6 inactive members', n((await one(`SELECT count(*) AS c FROM privileged_group_members WHERE dt = ${d} AND active IS FALSE`)).c));
    // identities: people per number of sources (directory, Jira, Confluence, Bitbucket).
    const id = await db.query(
      `SELECT (CASE WHEN in_directory THEN 1 ELSE 0 END + CASE WHEN in_jira THEN 1 ELSE 0 END + CASE WHEN in_confluence THEN 1 ELSE 0 END + CASE WHEN in_bitbucket THEN 1 ELSE 0 END) AS sources,
              count(*) AS people, sum(CASE WHEN in_directory THEN 1 ELSE 0 END) AS with_directory
       FROM identities WHERE dt = ${d} GROUP BY 1 ORDER BY 1`,
    );
    for (const row of id.rows) print(`identities in ${row.sources} source(s) (of which in the directory)`, `${n(row.people)} (${n(row.with_directory)})`);
    print('identities in more than one product', n((await one(`SELECT count(*) AS c FROM identities WHERE dt = ${d} AND len(products) > 1`)).c));
    print('identities active_while_suspended', n((await one(`SELECT count(*) AS c FROM identities WHERE dt = ${d} AND active_while_suspended`)).c));
  } finally {
    db.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
