import { ArangoError } from '../../errors/index.ts';

type Doc = Record<string, unknown>;
type Fn = (...a: unknown[]) => unknown;

/** One example dataset: edge definitions, vertices per collection, edges per edge collection ([from, to, data]). */
interface ExampleGraph {
  readonly relations: readonly (readonly [string, readonly string[], readonly string[]])[];
  readonly vertices: Readonly<Record<string, readonly Doc[]>>;
  readonly edges: Readonly<Record<string, readonly (readonly [string, string, Doc])[]>>;
  readonly geo?: readonly string[];
}

const city = (key: string, population: number, isCapital: boolean, loc: [number, number]): Doc => ({ _key: key, population, isCapital, loc });
const circle = (key: string, label: string): Doc => ({ _key: key, label });
const branch = (label: string): Doc => ({ theFalse: false, theTruth: true, label });

/** The datasets of ArangoDB's documentation examples (`@arangodb/graph-examples/example-graph`). */
const EXAMPLES: Readonly<Record<string, ExampleGraph>> = {
  knows_graph: {
    relations: [['knows', ['persons'], ['persons']]],
    vertices: { persons: ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve'].map((name) => ({ _key: name.toLowerCase(), name })) },
    edges: {
      knows: [
        ['persons/alice', 'persons/bob', {}],
        ['persons/bob', 'persons/charlie', {}],
        ['persons/bob', 'persons/dave', {}],
        ['persons/eve', 'persons/alice', {}],
        ['persons/eve', 'persons/bob', {}],
      ],
    },
  },
  social: {
    relations: [['relation', ['female', 'male'], ['female', 'male']]],
    vertices: {
      female: [{ _key: 'alice', name: 'Alice' }, { _key: 'diana', name: 'Diana' }],
      male: [{ _key: 'bob', name: 'Bob' }, { _key: 'charly', name: 'Charly' }],
    },
    edges: {
      relation: [
        ['female/alice', 'male/bob', { type: 'married', _key: 'aliceAndBob' }],
        ['female/alice', 'male/charly', { type: 'friend', _key: 'aliceAndCharly' }],
        ['male/charly', 'female/diana', { type: 'married', _key: 'charlyAndDiana' }],
        ['male/bob', 'female/diana', { type: 'friend', _key: 'bobAndDiana' }],
      ],
    },
  },
  routeplanner: {
    relations: [
      ['germanHighway', ['germanCity'], ['germanCity']],
      ['frenchHighway', ['frenchCity'], ['frenchCity']],
      ['internationalHighway', ['frenchCity', 'germanCity'], ['frenchCity', 'germanCity']],
    ],
    vertices: {
      germanCity: [city('Berlin', 3000000, true, [52.5167, 13.3833]), city('Cologne', 1000000, false, [50.9364, 6.9528]), city('Hamburg', 1000000, false, [53.5653, 10.0014])],
      frenchCity: [city('Lyon', 80000, false, [45.76, 4.84]), city('Paris', 4000000, true, [48.8567, 2.3508])],
    },
    edges: {
      germanHighway: [
        ['germanCity/Berlin', 'germanCity/Cologne', { distance: 850 }],
        ['germanCity/Berlin', 'germanCity/Hamburg', { distance: 400 }],
        ['germanCity/Hamburg', 'germanCity/Cologne', { distance: 500 }],
      ],
      frenchHighway: [['frenchCity/Paris', 'frenchCity/Lyon', { distance: 550 }]],
      internationalHighway: [
        ['germanCity/Berlin', 'frenchCity/Lyon', { distance: 1100 }],
        ['germanCity/Berlin', 'frenchCity/Paris', { distance: 1200 }],
        ['germanCity/Hamburg', 'frenchCity/Paris', { distance: 900 }],
        ['germanCity/Hamburg', 'frenchCity/Lyon', { distance: 1300 }],
        ['germanCity/Cologne', 'frenchCity/Lyon', { distance: 700 }],
        ['germanCity/Cologne', 'frenchCity/Paris', { distance: 550 }],
      ],
    },
    geo: ['germanCity', 'frenchCity'],
  },
  traversalGraph: {
    relations: [['edges', ['circles'], ['circles']]],
    vertices: { circles: 'ABCDEFGHIJK'.split('').map((k, i) => circle(k, String(i + 1))) },
    edges: {
      edges: [
        ['circles/A', 'circles/B', branch('left_bar')],
        ['circles/B', 'circles/C', branch('left_blarg')],
        ['circles/C', 'circles/D', branch('left_blorg')],
        ['circles/B', 'circles/E', branch('left_blub')],
        ['circles/E', 'circles/F', branch('left_schubi')],
        ['circles/A', 'circles/G', branch('right_foo')],
        ['circles/G', 'circles/H', branch('right_blob')],
        ['circles/H', 'circles/I', branch('right_blub')],
        ['circles/G', 'circles/J', branch('right_zip')],
        ['circles/J', 'circles/K', branch('right_zup')],
      ],
    },
  },
};

/**
 * `require('@arangodb/graph-examples/example-graph')`: `loadGraph(name)` creates one of the
 * documentation's example graphs through `@arangodb/general-graph` (1207 when one of its
 * collections exists already), `dropGraph(name)` drops it with its collections. Unknown names
 * (and `worldCountry`, not shipped) give `false`, as ArangoDB does for unknown ones.
 */
export function createExampleGraphModule(generalGraph: Doc, arangodb: Doc): Doc {
  const gm = generalGraph as Record<string, Fn>;
  const db = arangodb['db'] as Record<string, Fn>;
  const known = (name: unknown): name is string => typeof name === 'string' && Object.hasOwn(EXAMPLES, name);
  const dropGraph = (name: unknown): unknown => {
    if (!known(name)) return false;
    return gm['_exists']?.(name) === true ? gm['_drop']?.(name, true) : undefined;
  };
  const loadGraph = (name: unknown): unknown => {
    if (!known(name)) return false;
    const ex = EXAMPLES[name];
    if (ex === undefined) return false;
    const collections = [...new Set([...ex.relations.flatMap(([e, f, t]) => [e, ...f, ...t])])];
    const taken = collections.filter((c) => db['_collection']?.(c) !== null);
    if (taken.length > 0) {
      throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `the collection${taken.length > 1 ? 's' : ''}: ${JSON.stringify(taken)} already exist${taken.length > 1 ? '' : 's'}. Please clean up and try again.`);
    }
    dropGraph(name);
    const relations = ex.relations.map(([e, f, t]) => gm['_relation']?.(e, [...f], [...t]));
    const g = gm['_create']?.(name, relations) as Record<string, Record<string, Fn>>;
    for (const [c, docs] of Object.entries(ex.vertices)) for (const d of docs) g[c]?.['save']?.({ ...d });
    for (const c of ex.geo ?? []) g[c]?.['ensureIndex']?.({ type: 'geo', fields: ['loc'] });
    for (const [c, edges] of Object.entries(ex.edges)) for (const [from, to, data] of edges) g[c]?.['save']?.(from, to, { ...data });
    return g;
  };
  return { loadGraph, dropGraph };
}
