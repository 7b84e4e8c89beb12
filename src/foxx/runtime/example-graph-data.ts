import { WORLD_EDGES, WORLD_VERTICES } from './example-graph-world.ts';

type Doc = Record<string, unknown>;

/**
 * One dataset of ArangoDB 3.12's `@arangodb/graph-examples/example-graph`: the named graph's edge
 * definitions, vertices and edges per collection in ArangoDB's insertion order (edges as
 * `[from, to, data]`; edge keys are generated, as there), extra indexes, and the collections
 * whose existence makes `loadGraph` refuse (ArangoDB's list, in its order).
 */
export interface ExampleGraph {
  readonly relations: readonly (readonly [string, readonly string[], readonly string[]])[];
  readonly dependencies: readonly string[];
  readonly vertices: Readonly<Record<string, readonly Doc[]>>;
  readonly edges: Readonly<Record<string, readonly (readonly [string, string, Doc])[]>>;
  readonly indexes?: Readonly<Record<string, readonly Doc[]>>;
  /** Written to the collections directly rather than through the graph (ArangoDB's worldCountry does). */
  readonly direct?: boolean;
  /** Plain collections without a named graph (worldCountryUnManaged): loadGraph returns nothing. */
  readonly unmanaged?: boolean;
}

/** Edges `[from, to, {vertex: <from key>}]` in one collection of `coll/key` vertices. */
const fromKeyed = (coll: string, pairs: readonly string[]): (readonly [string, string, Doc])[] =>
  pairs.map((p) => {
    const [a = '', b = ''] = p.split('>');
    return [`${coll}/${a}`, `${coll}/${b}`, { vertex: a }] as const;
  });

const point = (lon: number, lat: number): Doc => ({ type: 'Point', coordinates: [lon, lat] });
const city = (key: string, population: number, isCapital: boolean, geometry: Doc): Doc => ({ _key: key, population, isCapital, geometry });
const branch = (label: string): Doc => ({ theFalse: false, theTruth: true, label });
const cityIndex: Doc = { type: 'geo', fields: ['geometry'], geoJson: true };

/** [from, to, travel time there, travel time back] */
const TRAINS: readonly (readonly [string, string, number, number])[] = [
  ['Inverness', 'Aberdeen', 3, 2.5], ['Aberdeen', 'Leuchars', 1.5, 1], ['Leuchars', 'Edinburgh', 1.5, 3],
  ['Edinburgh', 'Glasgow', 1, 1], ['Edinburgh', 'York', 3.5, 4], ['Glasgow', 'Carlisle', 1, 1],
  ['Carlisle', 'York', 2.5, 3.5], ['Carlisle', 'Birmingham', 2.0, 1], ['Birmingham', 'London', 1.5, 2.5],
  ['Leuchars', 'StAndrews', 0.2, 0.2], ['York', 'London', 1.8, 2.0], ['London', 'Brussels', 2.5, 3.5],
  ['Brussels', 'Cologne', 2, 1.5], ['Toronto', 'Winnipeg', 36, 35], ['Winnipeg', 'Saskatoon', 12, 5],
  ['Saskatoon', 'Edmonton', 12, 17], ['Edmonton', 'Jasper', 6, 5], ['Jasper', 'Vancouver', 12, 13],
];
const STATIONS = ['Inverness', 'Aberdeen', 'Leuchars', 'StAndrews', 'Edinburgh', 'Glasgow', 'York', 'Carlisle', 'Birmingham',
  'London', 'Brussels', 'Cologne', 'Toronto', 'Winnipeg', 'Saskatoon', 'Edmonton', 'Jasper', 'Vancouver'];

const COMPONENT_EDGES = ('A1>A2 A2>A3 A3>A4 A4>A1 B1>B3 B2>B4 B3>B6 B4>B3 B4>B5 B6>B7 B7>B8 B7>B9 B7>B10 B7>B19 B11>B10 ' +
  'B12>B11 B13>B12 B13>B20 B14>B13 B15>B14 B15>B16 B17>B15 B17>B18 B19>B17 B20>B21 B20>B22 C1>C2 C2>C3 C3>C4 C4>C5 ' +
  'C4>C7 C5>C6 C5>C7 C7>C8 C8>C9 C8>C10').split(' ').map((p) => p.split('>') as [string, string]);

const WORLD: ExampleGraph = {
  relations: [['worldEdges', ['worldVertices'], ['worldVertices']]],
  dependencies: ['worldVertices', 'worldEdges'],
  vertices: { worldVertices: WORLD_VERTICES },
  edges: { worldEdges: WORLD_EDGES },
  direct: true,
};

export const EXAMPLES: Readonly<Record<string, ExampleGraph>> = {
  knows_graph: {
    relations: [['knows', ['persons'], ['persons']]],
    dependencies: ['knows', 'persons'],
    vertices: { persons: ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve'].map((name) => ({ name, _key: name.toLowerCase() })) },
    edges: { knows: fromKeyed('persons', ['alice>bob', 'bob>charlie', 'bob>dave', 'eve>alice', 'eve>bob']) },
  },
  mps_graph: {
    relations: [['mps_edges', ['mps_verts'], ['mps_verts']]],
    dependencies: ['mps_edges', 'mps_verts'],
    vertices: { mps_verts: 'ABCDEF'.split('').map((k) => ({ _key: k })) },
    edges: { mps_edges: fromKeyed('mps_verts', ['A>B', 'A>E', 'A>D', 'B>C', 'D>C', 'E>F', 'F>C']) },
  },
  routeplanner: {
    relations: [
      ['germanHighway', ['germanCity'], ['germanCity']],
      ['frenchHighway', ['frenchCity'], ['frenchCity']],
      ['internationalHighway', ['frenchCity', 'germanCity'], ['frenchCity', 'germanCity']],
    ],
    dependencies: ['frenchHighway', 'frenchCity', 'germanCity', 'germanHighway', 'internationalHighway'],
    vertices: {
      germanCity: [
        city('Berlin', 3000000, true, point(13.3833, 52.5167)),
        city('Cologne', 1000000, false, point(6.9528, 50.9364)),
        city('Hamburg', 1000000, false, point(10.0014, 53.5653)),
      ],
      frenchCity: [city('Lyon', 80000, false, point(4.84, 45.76)), city('Paris', 4000000, true, point(2.3508, 48.8567))],
    },
    indexes: { germanCity: [cityIndex], frenchCity: [cityIndex] },
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
  },
  social: {
    relations: [['relation', ['female', 'male'], ['female', 'male']]],
    dependencies: ['relation', 'female', 'male'],
    vertices: {
      female: [{ name: 'Alice', _key: 'alice' }, { name: 'Diana', _key: 'diana' }],
      male: [{ name: 'Bob', _key: 'bob' }, { name: 'Charly', _key: 'charly' }],
    },
    edges: {
      relation: [
        ['female/alice', 'male/bob', { type: 'married', vertex: 'alice' }],
        ['female/alice', 'male/charly', { type: 'friend', vertex: 'alice' }],
        ['male/charly', 'female/diana', { type: 'married', vertex: 'charly' }],
        ['male/bob', 'female/diana', { type: 'friend', vertex: 'bob' }],
      ],
    },
  },
  worldCountry: WORLD,
  worldCountryUnManaged: { ...WORLD, unmanaged: true },
  traversalGraph: {
    relations: [['edges', ['circles'], ['circles']]],
    dependencies: ['edges', 'circles'],
    vertices: { circles: 'ABCDEFGHIJK'.split('').map((k, i) => ({ _key: k, label: String(i + 1) })) },
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
  kShortestPathsGraph: {
    relations: [['connections', ['places'], ['places']]],
    dependencies: ['connections', 'places'],
    vertices: { places: STATIONS.map((p) => ({ _key: p, label: p })) },
    edges: {
      connections: TRAINS.flatMap(([a, b, there, back]) => [
        [`places/${a}`, `places/${b}`, { travelTime: there }] as const,
        [`places/${b}`, `places/${a}`, { travelTime: back }] as const,
      ]),
    },
  },
  connectedComponentsGraph: {
    relations: [['connections', ['components'], ['components']]],
    dependencies: ['connections', 'components'],
    vertices: { components: [...new Set(COMPONENT_EDGES.flat())].map((k) => ({ _key: k })) },
    edges: { connections: COMPONENT_EDGES.map(([a, b]) => [`components/${a}`, `components/${b}`, {}] as const) },
  },
};
