/**
 * Snowball stemmers (the algorithms ArangoDB's `stem` and `text` Analyzers run through libstemmer):
 * English (Porter2) and German. Other languages are returned unstemmed (see README).
 */

const EN_VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const isEnVowel = (c: string | undefined): boolean => c !== undefined && EN_VOWELS.has(c);

/** Start of the region after the first non-vowel that follows a vowel, searched from `from`. */
function regionAfter(w: string, from: number, isVowel: (c: string | undefined) => boolean): number {
  for (let i = from + 1; i < w.length; i++) {
    if (!isVowel(w[i]) && isVowel(w[i - 1])) return i + 1;
  }
  return w.length;
}

/** The longest of `suffixes` that `w` ends with, or undefined. */
function longest(w: string, suffixes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const s of suffixes) if (w.endsWith(s) && (best === undefined || s.length > best.length)) best = s;
  return best;
}

const EN_EXCEPTIONS: Readonly<Record<string, string>> = {
  skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', idly: 'idl', gently: 'gentl',
  ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl', sky: 'sky', news: 'news', howe: 'howe',
  atlas: 'atlas', cosmos: 'cosmos', bias: 'bias', andes: 'andes',
};
const EN_AFTER_1A = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);
const DOUBLES = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);
const LI_ENDINGS = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't']);

function endsShortSyllable(w: string): boolean {
  const n = w.length;
  if (n === 2) return isEnVowel(w[0]) && !isEnVowel(w[1]);
  if (n < 3) return false;
  const [a, b, c] = [w[n - 3], w[n - 2], w[n - 1]];
  return !isEnVowel(a) && isEnVowel(b) && !isEnVowel(c) && c !== 'w' && c !== 'x' && c !== 'Y';
}

const EN_STEP2: readonly [string, string][] = [
  ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['entli', 'ent'], ['izer', 'ize'],
  ['ization', 'ize'], ['ational', 'ate'], ['ation', 'ate'], ['ator', 'ate'], ['alism', 'al'], ['aliti', 'al'],
  ['alli', 'al'], ['fulness', 'ful'], ['ousli', 'ous'], ['ousness', 'ous'], ['iveness', 'ive'], ['iviti', 'ive'],
  ['biliti', 'ble'], ['bli', 'ble'], ['ogi', 'og'], ['fulli', 'ful'], ['lessli', 'less'], ['li', ''],
];
const EN_STEP3: readonly [string, string][] = [
  ['tional', 'tion'], ['ational', 'ate'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'], ['ical', 'ic'],
  ['ful', ''], ['ness', ''], ['ative', ''],
];
const EN_STEP2_SUFFIXES = EN_STEP2.map(([x]) => x);
const EN_STEP2_MAP = new Map(EN_STEP2);
const EN_STEP3_SUFFIXES = EN_STEP3.map(([x]) => x);
const EN_STEP3_MAP = new Map(EN_STEP3);
const EN_STEP4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion'];

/** The English (Porter2) stem of one lower-case word. */
export function stemEnglish(word: string): string {
  if (word.length <= 2) return word;
  const exception = EN_EXCEPTIONS[word];
  if (exception !== undefined) return exception;
  let w = word.startsWith("'") ? word.slice(1) : word;
  if (w.includes('y')) w = w.replace(/^y/, 'Y').replace(/([aeiouy])y/g, '$1Y');
  const r1 = /^(gener|commun|arsen)/.exec(w)?.[0].length ?? regionAfter(w, 0, isEnVowel);
  const r2 = regionAfter(w, r1, isEnVowel);
  // step 0
  const s0 = longest(w, ["'s'", "'s", "'"]);
  if (s0 !== undefined) w = w.slice(0, -s0.length);
  // step 1a
  const s1a = longest(w, ['sses', 'ied', 'ies', 's', 'us', 'ss']);
  if (s1a === 'sses') w = w.slice(0, -2);
  else if (s1a === 'ied' || s1a === 'ies') w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
  else if (s1a === 's' && /[aeiouy]/.test(w.slice(0, -2))) w = w.slice(0, -1);
  if (EN_AFTER_1A.has(w)) return w;
  // step 1b
  const s1b = longest(w, ['eed', 'eedly', 'ed', 'edly', 'ing', 'ingly']);
  if (s1b === 'eed' || s1b === 'eedly') {
    if (w.length - s1b.length >= r1) w = w.slice(0, -s1b.length) + 'ee';
  } else if (s1b !== undefined && /[aeiouy]/.test(w.slice(0, -s1b.length))) {
    w = w.slice(0, -s1b.length);
    if (/(at|bl|iz)$/.test(w)) w += 'e';
    else if (DOUBLES.has(w.slice(-2))) w = w.slice(0, -1);
    else if (r1 >= w.length && endsShortSyllable(w)) w += 'e';
  }
  // step 1c
  if (w.length > 2 && /[yY]$/.test(w) && !isEnVowel(w[w.length - 2])) w = w.slice(0, -1) + 'i';
  // step 2
  const s2 = longest(w, EN_STEP2_SUFFIXES);
  if (s2 !== undefined && w.length - s2.length >= r1) {
    const stem = w.slice(0, -s2.length);
    if (s2 === 'ogi') { if (stem.endsWith('l')) w = stem + 'og'; }
    else if (s2 === 'li') { if (LI_ENDINGS.has(stem.slice(-1))) w = stem; }
    else w = stem + (EN_STEP2_MAP.get(s2) ?? '');
  }
  // step 3
  const s3 = longest(w, EN_STEP3_SUFFIXES);
  if (s3 !== undefined && w.length - s3.length >= r1) {
    if (s3 === 'ative') { if (w.length - s3.length >= r2) w = w.slice(0, -s3.length); }
    else w = w.slice(0, -s3.length) + (EN_STEP3_MAP.get(s3) ?? '');
  }
  // step 4
  const s4 = longest(w, EN_STEP4);
  if (s4 !== undefined && w.length - s4.length >= r2) {
    if (s4 !== 'ion' || /[st]$/.test(w.slice(0, -3))) w = w.slice(0, -s4.length);
  }
  // step 5
  if (w.endsWith('e')) {
    const at = w.length - 1;
    if (at >= r2 || (at >= r1 && !endsShortSyllable(w.slice(0, -1)))) w = w.slice(0, -1);
  } else if (w.endsWith('ll') && w.length - 1 >= r2) {
    w = w.slice(0, -1);
  }
  return w.includes('Y') ? w.replace(/Y/g, 'y') : w;
}

const DE_VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y', 'ä', 'ö', 'ü']);
const isDeVowel = (c: string | undefined): boolean => c !== undefined && DE_VOWELS.has(c);
const DE_S_ENDING = /[bdfghklmnrt]$/;
const DE_ST_ENDING = /[bdfghklmnt]$/;

/** The German Snowball stem of one lower-case word. */
export function stemGerman(word: string): string {
  let w = word.replace(/ß/g, 'ss').replace(/([aeiouyäöü])([uy])(?=[aeiouyäöü])/g, (_m, v: string, c: string) => v + c.toUpperCase());
  const r1 = Math.max(3, regionAfter(w, 0, isDeVowel));
  const r2 = regionAfter(w, r1, isDeVowel);
  const inR1 = (len: number): boolean => w.length - len >= r1;
  const inR2 = (len: number): boolean => w.length - len >= r2;
  // step 1
  const s1 = longest(w, ['em', 'ern', 'er', 'e', 'en', 'es', 's']);
  if (s1 !== undefined && inR1(s1.length)) {
    if (s1 === 's') { if (DE_S_ENDING.test(w.slice(0, -1))) w = w.slice(0, -1); }
    else {
      w = w.slice(0, -s1.length);
      if ((s1 === 'e' || s1 === 'en' || s1 === 'es') && w.endsWith('niss')) w = w.slice(0, -1);
    }
  }
  // step 2
  const s2 = longest(w, ['en', 'er', 'est', 'st']);
  if (s2 !== undefined && inR1(s2.length)) {
    if (s2 === 'st') { if (DE_ST_ENDING.test(w.slice(0, -2)) && w.length - 3 >= 3) w = w.slice(0, -2); }
    else w = w.slice(0, -s2.length);
  }
  // step 3
  const s3 = longest(w, ['end', 'ung', 'ig', 'ik', 'isch', 'lich', 'heit', 'keit']);
  if (s3 !== undefined && inR2(s3.length)) {
    const stem = w.slice(0, -s3.length);
    if (s3 === 'end' || s3 === 'ung') {
      w = stem;
      if (w.endsWith('ig') && inR2(2) && !w.slice(0, -2).endsWith('e')) w = w.slice(0, -2);
    } else if (s3 === 'ig' || s3 === 'ik' || s3 === 'isch') {
      if (!stem.endsWith('e')) w = stem;
    } else if (s3 === 'lich' || s3 === 'heit') {
      w = stem;
      const s = longest(w, ['er', 'en']);
      if (s !== undefined && inR1(s.length)) w = w.slice(0, -s.length);
    } else {
      w = stem;
      const s = longest(w, ['lich', 'ig']);
      if (s !== undefined && inR2(s.length)) w = w.slice(0, -s.length);
    }
  }
  return w.replace(/U/g, 'u').replace(/Y/g, 'y').replace(/ä/g, 'a').replace(/ö/g, 'o').replace(/ü/g, 'u');
}

/** The stem of a lower-case word in `locale` (language part only); unchanged for languages without a stemmer here. */
export function stem(word: string, locale: string): string {
  const lang = locale.toLowerCase().split(/[_.@-]/)[0];
  if (lang === 'en') return stemEnglish(word);
  if (lang === 'de') return stemGerman(word);
  return word;
}
