export {
  parseManifest,
  validateManifest,
  normaliseFileDefinitions,
  CANONICAL_MANIFEST_SCHEMA,
  CONFIGURATION_TYPES,
  type ServiceManifest,
  type ManifestOptions,
  type ManifestResult,
  type ConfigurationDefinition,
  type ConfigurationType,
  type DependencyDefinition,
  type FileDefinition,
} from './manifest.ts';
export {
  validateMount,
  isValidMountQuery,
  isSystemMount,
  collectionPrefix,
  bundleFileName,
  downloadFileName,
  servicePathSegments,
  bundlePathSegments,
  type ValidateMountOptions,
} from './mount.ts';
export {
  applyConfiguration,
  applyDependencies,
  parseConfiguration,
  parseConfigurationValue,
  configurationToJson,
  dependenciesToJson,
  needsConfiguration,
  getReadableName,
  type RawConfiguration,
  type RawDependencies,
  type OptionWarnings,
  type ApplyConfigurationOptions,
  type ApplyDependenciesOptions,
  type AppliedConfiguration,
  type AppliedDependencies,
  type ConfigurationEntry,
  type DependencyEntry,
} from './options.ts';
export { prepareService, isZipBuffer, singleFileBundle, findServiceRoot, type ServiceSource, type PrepareServiceOptions, type PreparedService } from './bundle.ts';
export { extractZip, checkEntryName, bundleError, DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-extract.ts';
export { zipDirectory, zipFiles, listDirectoryFiles } from './zip-directory.ts';
export { adler32, bundleChecksum, sha256Hex } from './signature.ts';
export * from './router/index.ts';
export { buildSwagger, describeToSchema, type SwaggerDocument, type SwaggerOptions, type JsonSchema } from './swagger.ts';
export { runTests, matchTestFiles, type TestFileLoader, type RunTestsOptions, type MochaGlobals, type SuiteFunction, type TestFunction } from './test-runner.ts';
export { renderTestReport, jsonmlToXml, buildReport, TEST_REPORTERS, type TestReporter, type TestStats, type CleanTest, type RunEvent } from './test-reporters.ts';
export { FoxxRuntime, setFoxxmaster, healAll, type FoxxConfig } from './foxx-runtime.ts';
export { ServiceManager, type ServiceState, type InstallSource, type LifecycleOptions, type FoxxSettings } from './manager.ts';
export { QueueService } from './queues.ts';
export { ServiceStore, type AppDocument } from './service-store.ts';
