import { col, defineTable } from '../shared/schema/table.ts';

// Output tables of the Assets (JSM CMDB) collector (issue 6). Keys and names are a public contract:
// add columns freely, never rename or retype one.

export const assetsWorkspaces = defineTable({
  name: 'assets_workspaces',
  description: 'Assets workspace of the site (none when the site has no Assets, i.e. no JSM Premium/Enterprise).',
  key: ['workspace_id'],
  columns: {
    workspace_id: col.string(),
  },
});

export const assetsObjectSchemas = defineTable({
  name: 'assets_object_schemas',
  description: 'Object schema of a workspace.',
  key: ['workspace_id', 'schema_id'],
  columns: {
    workspace_id: col.string(),
    schema_id: col.string(),
    global_id: col.string().nullable(),
    name: col.string(),
    object_schema_key: col.string().nullable(),
    status: col.string().nullable(),
    object_count: col.int().nullable(),
    object_type_count: col.int().nullable(),
    created: col.string().nullable(),
    updated: col.string().nullable(),
  },
});

export const assetsObjectTypes = defineTable({
  name: 'assets_object_types',
  description: 'Object type of an object schema; `collected` tells whether its objects were read (unit config assets.objectTypes).',
  key: ['workspace_id', 'object_type_id'],
  columns: {
    workspace_id: col.string(),
    schema_id: col.string(),
    object_type_id: col.string(),
    global_id: col.string().nullable(),
    name: col.string(),
    parent_object_type_id: col.string().nullable(),
    abstract_object_type: col.bool().nullable(),
    inherited: col.bool().nullable(),
    object_count: col.int().nullable(),
    collected: col.bool(),
  },
});

export const assetsObjects = defineTable({
  name: 'assets_objects',
  description: 'Object of a collected object type (AQL `objectTypeId = <id>`), without attribute values.',
  key: ['workspace_id', 'object_id'],
  columns: {
    workspace_id: col.string(),
    schema_id: col.string(),
    object_type_id: col.string(),
    object_type_name: col.string(),
    object_id: col.string(),
    global_id: col.string().nullable(),
    object_key: col.string().nullable(),
    label: col.string().nullable(),
    created: col.string().nullable(),
    updated: col.string().nullable(),
  },
});

/** Every Assets output table, in collection order. */
export const assetsTables = [assetsWorkspaces, assetsObjectSchemas, assetsObjectTypes, assetsObjects] as const;
