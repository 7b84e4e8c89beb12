/**
 * The `worldCountry` dataset of ArangoDB 3.12's `@arangodb/graph-examples/example-graph`:
 * world → continent → country → capital, all edges `{type: "is-in"}` pointing up the tree.
 * Vertices and edges in ArangoDB's insertion order.
 */

type Doc = Record<string, unknown>;

const CONTINENTS: readonly (readonly [string, string])[] = [
  ['africa', 'Africa'], ['asia', 'Asia'], ['australia', 'Australia'], ['europe', 'Europe'],
  ['north-america', 'North America'], ['south-america', 'South America'],
];

/** [key, name, ISO code, continent] */
const COUNTRIES: readonly (readonly [string, string, string, string])[] = [
  ['afghanistan', 'Afghanistan', 'AFG', 'asia'],
  ['albania', 'Albania', 'ALB', 'europe'],
  ['algeria', 'Algeria', 'DZA', 'africa'],
  ['andorra', 'Andorra', 'AND', 'europe'],
  ['angola', 'Angola', 'AGO', 'africa'],
  ['antigua-and-barbuda', 'Antigua and Barbuda', 'ATG', 'north-america'],
  ['argentina', 'Argentina', 'ARG', 'south-america'],
  ['australia', 'Australia', 'AUS', 'australia'],
  ['austria', 'Austria', 'AUT', 'europe'],
  ['bahamas', 'Bahamas', 'BHS', 'north-america'],
  ['bahrain', 'Bahrain', 'BHR', 'asia'],
  ['bangladesh', 'Bangladesh', 'BGD', 'asia'],
  ['barbados', 'Barbados', 'BRB', 'north-america'],
  ['belgium', 'Belgium', 'BEL', 'europe'],
  ['bhutan', 'Bhutan', 'BTN', 'asia'],
  ['bolivia', 'Bolivia', 'BOL', 'south-america'],
  ['bosnia-and-herzegovina', 'Bosnia and Herzegovina', 'BIH', 'europe'],
  ['botswana', 'Botswana', 'BWA', 'africa'],
  ['brazil', 'Brazil', 'BRA', 'south-america'],
  ['brunei', 'Brunei', 'BRN', 'asia'],
  ['bulgaria', 'Bulgaria', 'BGR', 'europe'],
  ['burkina-faso', 'Burkina Faso', 'BFA', 'africa'],
  ['burundi', 'Burundi', 'BDI', 'africa'],
  ['cambodia', 'Cambodia', 'KHM', 'asia'],
  ['cameroon', 'Cameroon', 'CMR', 'africa'],
  ['canada', 'Canada', 'CAN', 'north-america'],
  ['chad', 'Chad', 'TCD', 'africa'],
  ['chile', 'Chile', 'CHL', 'south-america'],
  ['colombia', 'Colombia', 'COL', 'south-america'],
  ['cote-d-ivoire', "Cote d'Ivoire", 'CIV', 'africa'],
  ['croatia', 'Croatia', 'HRV', 'europe'],
  ['czech-republic', 'Czech Republic', 'CZE', 'europe'],
  ['denmark', 'Denmark', 'DNK', 'europe'],
  ['ecuador', 'Ecuador', 'ECU', 'south-america'],
  ['egypt', 'Egypt', 'EGY', 'africa'],
  ['eritrea', 'Eritrea', 'ERI', 'africa'],
  ['finland', 'Finland', 'FIN', 'europe'],
  ['france', 'France', 'FRA', 'europe'],
  ['germany', 'Germany', 'DEU', 'europe'],
  ['people-s-republic-of-china', "People's Republic of China", 'CHN', 'asia'],
];

/** [key, name, country] */
const CAPITALS: readonly (readonly [string, string, string])[] = [
  ['algiers', 'Algiers', 'algeria'],
  ['andorra-la-vella', 'Andorra la Vella', 'andorra'],
  ['asmara', 'Asmara', 'eritrea'],
  ['bandar-seri-begawan', 'Bandar Seri Begawan', 'brunei'],
  ['beijing', 'Beijing', 'people-s-republic-of-china'],
  ['berlin', 'Berlin', 'germany'],
  ['bogota', 'Bogota', 'colombia'],
  ['brasilia', 'Brasilia', 'brazil'],
  ['bridgetown', 'Bridgetown', 'barbados'],
  ['brussels', 'Brussels', 'belgium'],
  ['buenos-aires', 'Buenos Aires', 'argentina'],
  ['bujumbura', 'Bujumbura', 'burundi'],
  ['cairo', 'Cairo', 'egypt'],
  ['canberra', 'Canberra', 'australia'],
  ['copenhagen', 'Copenhagen', 'denmark'],
  ['dhaka', 'Dhaka', 'bangladesh'],
  ['gaborone', 'Gaborone', 'botswana'],
  ['helsinki', 'Helsinki', 'finland'],
  ['kabul', 'Kabul', 'afghanistan'],
  ['la-paz', 'La Paz', 'bolivia'],
  ['luanda', 'Luanda', 'angola'],
  ['manama', 'Manama', 'bahrain'],
  ['nassau', 'Nassau', 'bahamas'],
  ['n-djamena', "N'Djamena", 'chad'],
  ['ottawa', 'Ottawa', 'canada'],
  ['ouagadougou', 'Ouagadougou', 'burkina-faso'],
  ['paris', 'Paris', 'france'],
  ['phnom-penh', 'Phnom Penh', 'cambodia'],
  ['prague', 'Prague', 'czech-republic'],
  ['quito', 'Quito', 'ecuador'],
  ['saint-john-s', "Saint John's", 'antigua-and-barbuda'],
  ['santiago', 'Santiago', 'chile'],
  ['sarajevo', 'Sarajevo', 'bosnia-and-herzegovina'],
  ['sofia', 'Sofia', 'bulgaria'],
  ['thimphu', 'Thimphu', 'bhutan'],
  ['tirana', 'Tirana', 'albania'],
  ['vienna', 'Vienna', 'austria'],
  ['yamoussoukro', 'Yamoussoukro', 'cote-d-ivoire'],
  ['yaounde', 'Yaounde', 'cameroon'],
  ['zagreb', 'Zagreb', 'croatia'],
];

const id = (key: string): string => `worldVertices/${key}`;
const isIn = (from: string, to: string): readonly [string, string, Doc] => [id(from), id(to), { type: 'is-in' }];

export const WORLD_VERTICES: readonly Doc[] = [
  { _key: 'world', name: 'World', type: 'root' },
  ...CONTINENTS.map(([k, name]) => ({ _key: `continent-${k}`, name, type: 'continent' })),
  ...COUNTRIES.map(([k, name, code]) => ({ _key: `country-${k}`, name, type: 'country', code })),
  ...CAPITALS.map(([k, name]) => ({ _key: `capital-${k}`, name, type: 'capital' })),
];

export const WORLD_EDGES: readonly (readonly [string, string, Doc])[] = [
  ...CONTINENTS.map(([k]) => isIn(`continent-${k}`, 'world')),
  ...COUNTRIES.map(([k, , , continent]) => isIn(`country-${k}`, `continent-${continent}`)),
  ...CAPITALS.map(([k, , country]) => isIn(`capital-${k}`, `country-${country}`)),
];
