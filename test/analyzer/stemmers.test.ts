import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stem, stemEnglish, stemGerman } from '../../src/analyzer/index.ts';

// words and stems of the Snowball project's English (Porter2) and German vocabularies
const EN: Record<string, string> = {
  consign: 'consign', consigned: 'consign', consigning: 'consign', consignment: 'consign', consistency: 'consist',
  consistently: 'consist', consolation: 'consol', consolatory: 'consolatori', console: 'consol', consolidated: 'consolid',
  consolingly: 'consol', knackeries: 'knackeri', knaves: 'knave', generously: 'generous', generation: 'generat',
  happily: 'happili', running: 'run', cries: 'cri', ties: 'tie', agreed: 'agre', feed: 'feed', hopping: 'hop',
  hoping: 'hope', caresses: 'caress', ponies: 'poni', relational: 'relat', national: 'nation', communication: 'communic',
  arsenal: 'arsenal', skies: 'sky', dying: 'die', news: 'news', gently: 'gentl', proceed: 'proceed', exceeding: 'exceed',
  fluently: 'fluentli', controllers: 'control', hopeful: 'hope', goodness: 'good', electrical: 'electr',
  adjustable: 'adjust', effective: 'effect', bowdlerize: 'bowdler', databases: 'databas', crazy: 'crazi',
};
const DE: Record<string, string> = {
  aufeinanderfolgenden: 'aufeinanderfolg', häuser: 'haus', kategorischen: 'kategor', abhängigkeit: 'abhang',
  bedürfnissen: 'bedurfnis', lorem: 'lor', dolor: 'dolor',
};

describe('Snowball stemmers of the stem and text Analyzers', () => {
  it('stems English words as Porter2 does', () => {
    for (const [w, s] of Object.entries(EN)) assert.equal(stemEnglish(w), s, w);
  });
  it('stems German words as the German Snowball stemmer does', () => {
    for (const [w, s] of Object.entries(DE)) assert.equal(stemGerman(w), s, w);
  });
  it('picks the stemmer by the language of an ICU locale and leaves other languages unstemmed', () => {
    assert.equal(stem('running', 'en_US.UTF-8'), 'run');
    assert.equal(stem('häuser', 'de_DE'), 'haus');
    assert.equal(stem('corriendo', 'es'), 'corriendo');
  });
});
