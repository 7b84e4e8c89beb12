export {
  SUPPORTED_TYPES, normalizeFeatures, normalizeProperties, parseAnalyzerDefinition, sameDefinition, validateAnalyzerName,
  type AnalyzerDefinition, type AnalyzerFeature, type AnalyzerProperties, type AnalyzerType, type NestedAnalyzer,
} from './analyzer-definition.ts';
export { BUILT_IN_ANALYZERS } from './built-in-analyzers.ts';
export {
  ANALYZERS_COLLECTION, AnalyzerStore, definitionFromDocument, resolveAnalyzerName,
  type AnalyzerDescription, type AnalyzerDocument, type AnalyzerDocuments, type ResolvedAnalyzerName,
} from './analyzer-store.ts';
export { findAnalyzer, type AnalyzerReader } from './analyzer-lookup.ts';
export { tokenizeWith, type TokenizeHooks } from './tokenize.ts';
export { stem, stemEnglish, stemGerman } from './stemmers.ts';
