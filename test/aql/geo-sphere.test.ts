import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareQuery } from '../../src/aql/index.ts';
import { buildFixture } from '../fixtures/aql/fixture-data.ts';

const ds = buildFixture();
const one = (q: string): unknown => prepareQuery(`RETURN ${q}`, {}, ds).execute().all()[0];

// the 3.12 geo pages' example: a "rectangle" whose southern edge is a great circle bulging north
const CCW = '{type: "Polygon", coordinates: [[[4, 54], [4, 47], [16, 47], [16, 54], [4, 54]]]}';
const CW = '{type: "Polygon", coordinates: [[[4, 54], [16, 54], [16, 47], [4, 47], [4, 54]]]}';

describe('geo predicates on the sphere (edges are great-circle arcs, interior left of the ring)', () => {
  it('answers the documented GeoJSON-interpretation examples', () => {
    assert.equal(one(`GEO_CONTAINS(${CCW}, [10, 50])`), true);
    assert.equal(one(`GEO_CONTAINS(${CCW}, [10, 47])`), false); // a flat plane says true
    assert.equal(one(`GEO_CONTAINS(${CCW}, [10, 54])`), true); // a flat plane says false (on the edge)
    assert.equal(one(`GEO_CONTAINS(${CW}, [10, 50])`), false);
    assert.equal(one(`GEO_CONTAINS(${CW}, [0, 90])`), true); // the clockwise ring holds both poles
    assert.equal(one(`GEO_CONTAINS(${CW}, [0, -90])`), true);
    assert.equal(one(`GEO_CONTAINS(${CCW}, [0, 90])`), false);
  });

  it('differs from a flat plane where great circles leave the parallels', () => {
    // long east-west edges at 50°N and 60°N: at longitude 0 their great circles run at 67.2°N and 73.9°N
    const band = '{type: "Polygon", coordinates: [[[-60, 50], [60, 50], [60, 60], [-60, 60], [-60, 50]]]}';
    assert.equal(one(`GEO_CONTAINS(${band}, [0, 70])`), true); // flat: false
    assert.equal(one(`GEO_CONTAINS(${band}, [0, 55])`), false); // flat: true
    assert.equal(one(`GEO_INTERSECTS(${band}, GEO_LINESTRING([[-30, 55], [30, 55]]))`), false); // flat: true
    assert.equal(one(`GEO_INTERSECTS(${band}, GEO_LINESTRING([[-30, 70], [30, 70]]))`), true);
    assert.equal(one(`GEO_INTERSECTS(${band}, [0, 75])`), false);
    assert.equal(one(`GEO_CONTAINS(${band}, [59, 55])`), true); // near the meridian edges the arcs are close to the parallels
  });

  it('handles holes in either orientation and MultiPolygons by even-odd', () => {
    const holed = 'GEO_POLYGON([[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]]])';
    const holedWrong = 'GEO_POLYGON([[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]])';
    for (const p of [holed, holedWrong]) {
      assert.equal(one(`GEO_CONTAINS(${p}, [5, 5])`), false);
      assert.equal(one(`GEO_CONTAINS(${p}, [2, 2])`), true);
      assert.equal(one(`GEO_CONTAINS(${p}, GEO_POLYGON([[3, 3], [7, 3], [7, 7], [3, 7], [3, 3]]))`), false); // covers the hole
      assert.equal(one(`GEO_CONTAINS(${p}, GEO_LINESTRING([[1, 1], [3, 1]]))`), true);
    }
    const multi = '{type: "MultiPolygon", coordinates: [[[[102, 2], [103, 2], [103, 3], [102, 3], [102, 2]]], [[[100, 0], [101, 0], [101, 1], [100, 1], [100, 0]], [[100.2, 0.2], [100.2, 0.8], [100.8, 0.8], [100.8, 0.2], [100.2, 0.2]]]]}';
    assert.equal(one(`GEO_CONTAINS(${multi}, [102.5, 2.5])`), true);
    assert.equal(one(`GEO_CONTAINS(${multi}, [100.1, 0.5])`), true);
    assert.equal(one(`GEO_CONTAINS(${multi}, [100.5, 0.5])`), false);
    assert.equal(one(`GEO_CONTAINS(${multi}, [101.5, 1.5])`), false);
  });

  it('works for small shapes (a 5 m square) as for large ones', () => {
    const d = 0.00005; // about 5.5 m of longitude at the equator
    const tiny = `GEO_POLYGON([[0, 0], [${d}, 0], [${d}, ${d}], [0, ${d}], [0, 0]])`;
    assert.equal(one(`GEO_CONTAINS(${tiny}, [${d / 2}, ${d / 2}])`), true);
    assert.equal(one(`GEO_CONTAINS(${tiny}, [${d * 1.5}, ${d / 2}])`), false);
    const area = one(`GEO_AREA(${tiny})`) as number;
    assert.ok(Math.abs(area - 30.9) < 0.5, String(area));
  });

  it('measures areas of geodesic polygons, holes and polygons larger than a hemisphere', () => {
    const sphere = 4 * Math.PI * 6371000 ** 2;
    const small = one(`GEO_AREA(${CCW})`) as number;
    const big = one(`GEO_AREA(${CW})`) as number;
    assert.ok(Math.abs(small + big - sphere) / sphere < 1e-9, 'a ring and its reverse cover the sphere');
    assert.ok(big > sphere / 2);
    // a hemisphere: the equator as four 90° arcs
    const north = one('GEO_AREA({type: "Polygon", coordinates: [[[0, 0], [90, 0], [180, 0], [-90, 0], [0, 0]]]})') as number;
    assert.ok(Math.abs(north - sphere / 2) / sphere < 1e-9);
    const outer = one('GEO_AREA(GEO_POLYGON([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]))') as number;
    const hole = one('GEO_AREA(GEO_POLYGON([[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]))') as number;
    const holed = one('GEO_AREA(GEO_POLYGON([[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [4, 6], [6, 6], [6, 4], [4, 4]]]))') as number;
    assert.ok(Math.abs(outer - hole - holed) < 1);
    // WGS84: a 1° cell at the equator is 111.32 km × 110.57 km
    assert.equal(Math.round((one('GEO_AREA(GEO_POLYGON([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]), "wgs84")') as number) / 1e6), 12309);
  });

  it('measures distances between centroids, on the sphere or on WGS84', () => {
    assert.equal(one('GEO_DISTANCE([13.3777, 52.5163], GEO_POINT(6.94, 50.9322))'), 476918.89688380965);
    const wgs = one('GEO_DISTANCE([13.3777, 52.5163], [6.94, 50.9322], "wgs84")') as number;
    assert.ok(Math.abs(wgs - 477400) < 1500, String(wgs));
    // the centroid of a polygon straddling the antimeridian lies on it, not at longitude 0
    const d = one('GEO_DISTANCE({type: "Polygon", coordinates: [[[179, -1], [-179, -1], [-179, 1], [179, 1], [179, -1]]]}, [180, 0])') as number;
    assert.ok(d < 1, String(d));
    assert.equal(one('GEO_DISTANCE([0, 0], [1, 1], "mars")'), null);
  });

  it('refuses self-intersecting rings in GEO_POLYGON / GEO_MULTIPOLYGON (S2 validation): warning and null', () => {
    const cursor = prepareQuery('RETURN GEO_POLYGON([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]])', {}, ds).execute();
    assert.deepEqual(cursor.all(), [null]);
    assert.equal(cursor.warnings[0]?.code, 1542);
    assert.equal(one('GEO_MULTIPOLYGON([[[[0, 0], [5, 0], [5, 5], [0, 5], [0, 0]]], [[[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]]]])'), null);
    assert.deepEqual(one('GEO_POLYGON([[[35, 10], [45, 45], [15, 40], [10, 20], [35, 10]], [[20, 30], [30, 20], [35, 35], [20, 30]]])'), {
      type: 'Polygon', coordinates: [[[35, 10], [45, 45], [15, 40], [10, 20], [35, 10]], [[20, 30], [30, 20], [35, 35], [20, 30]]],
    });
  });

  it('compares shapes, rings up to their starting vertex', () => {
    assert.equal(one('GEO_EQUALS(GEO_POLYGON([[0, 0], [1, 0], [1, 1], [0, 0]]), GEO_POLYGON([[1, 0], [1, 1], [0, 0], [1, 0]]))'), true);
    assert.equal(one('GEO_EQUALS(GEO_POLYGON([[0, 0], [1, 0], [1, 1], [0, 0]]), GEO_POLYGON([[0, 0], [1, 1], [1, 0], [0, 0]]))'), false);
    assert.equal(one('GEO_EQUALS(GEO_POINT(1, 2), [1, 2])'), true);
    assert.equal(one('GEO_EQUALS(GEO_POINT(1, 2), GEO_LINESTRING([[1, 2], [1, 3]]))'), false);
  });
});
