/** Compares what two kitsune servers hold, through the replication endpoints (superuser JWT). */

interface InventoryShape {
  databases: Record<string, { collections: Array<{ parameters: Record<string, unknown>; indexes: unknown[] }> }>;
}

async function get(endpoint: string, path: string, auth: string): Promise<unknown> {
  const r = await fetch(endpoint + path, { headers: { authorization: auth } });
  if (r.status !== 200) throw new Error(`${endpoint}${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/**
 * A canonical description of a server's data: databases, collections (id, name, type, indexes)
 * and every document's key and revision. Two servers in sync give equal strings.
 */
export async function describeData(endpoint: string, auth: string, skipCollections: readonly string[] = ['_rollback']): Promise<Record<string, unknown>> {
  const inv = (await get(endpoint, '/_api/replication/inventory?global=true', auth)) as InventoryShape;
  const out: Record<string, unknown> = {};
  for (const [db, d] of Object.entries(inv.databases).sort(([a], [b]) => a.localeCompare(b))) {
    for (const c of d.collections.sort((x, y) => String(x.parameters['name']).localeCompare(String(y.parameters['name'])))) {
      const name = String(c.parameters['name']);
      if (skipCollections.includes(name)) continue;
      const keys = (await get(endpoint, `/_db/${db}/_api/replication/kitsune/keys?collection=${String(c.parameters['id'])}`, auth)) as { keys: Array<[string, string]> };
      out[`${db}/${name}`] = { id: c.parameters['id'], type: c.parameters['type'], indexes: c.indexes, docs: keys.keys };
    }
  }
  return out;
}
