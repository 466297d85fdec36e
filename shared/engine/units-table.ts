import { col, defineTable } from '../schema/table.ts';

/**
 * The collector's own table: one row per unit whose collection completed, published with the unit's other files
 * (so it exists exactly when the unit's snapshot does). The `snapshots` view lists collections from it, whatever the
 * product and whether its tables happen to be empty.
 */
export const collectorUnits = defineTable({
  name: 'collector_units',
  description:
    'Unit (organization, product, site) whose collection completed and was published for the snapshot date, with what it took. The snapshots view reads it.',
  key: ['product'],
  columns: {
    product: col.string().describe('the unit\'s product as configured: jira, confluence, bitbucket, admin, jsm, assets, opsgenie, trello, jira-dc, confluence-dc'),
    run_id: col.string().describe('the run that collected it'),
    rows: col.int().describe('rows written over all its tables'),
    requests: col.int().describe('HTTP requests sent, retries included'),
    retries: col.int(),
    invocations: col.int().describe('collect invocations (Lambda runs) it took'),
    skipped_parents: col.int().describe('children skipped because their parent vanished mid-run'),
    repeats_dropped: col.int().describe('rows the key guard dropped because an offset API sent them again'),
  },
});
