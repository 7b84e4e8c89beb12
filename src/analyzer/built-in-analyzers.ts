import type { AnalyzerDefinition } from './analyzer-definition.ts';

/** The languages of ArangoDB 3.12's built-in `text_xx` Analyzers. */
const TEXT_LOCALES = ['de', 'en', 'es', 'fi', 'fr', 'it', 'nl', 'no', 'pt', 'ru', 'sv', 'zh'] as const;

/** The global built-in Analyzers (never stored, never removable), by name, as 3.12 lists them. */
export const BUILT_IN_ANALYZERS: ReadonlyMap<string, AnalyzerDefinition> = new Map<string, AnalyzerDefinition>([
  ['identity', { type: 'identity', properties: {}, features: ['frequency', 'norm'] }],
  ...TEXT_LOCALES.map((locale): [string, AnalyzerDefinition] => [
    `text_${locale}`,
    {
      type: 'text',
      properties: { locale, case: 'lower', stopwords: [], accent: false, stemming: true },
      features: ['frequency', 'norm', 'position'],
    },
  ]),
]);
