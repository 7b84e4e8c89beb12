import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import vm from 'node:vm';
import { ArangoError } from '../../errors/index.ts';
import type { FileDefinition } from '../manifest.ts';
import { collectionPrefix } from '../mount.ts';
import { compileRoutes, createRouter, dispatch, type FoxxRequestData, type FoxxResponseData, type Router, type RouteTree } from '../router/index.ts';
import type { ServiceSpec } from './protocol.ts';
import { ARANGODB_PACKAGE_DIRS, packagesDirectory, SHIPPED_PACKAGES } from './builtin-modules.ts';
import { createConsole } from './console-module.ts';
import { restrictedFs, within } from './restricted-fs.ts';
import { REMOVE_PROTO_ACCESSOR_SOURCE } from '../../common/proto-guard.ts';

/** What a service instance needs from the worker around it. */
export interface SandboxHost {
  /** The module named `name` if it is on the allow-list (built-in or shipped npm package), else undefined. */
  builtin(name: string, instance: ServiceInstance): unknown;
  /** `module.exports` of the service at `mount` in `database` (for dependencies), or null. */
  exportsOf(database: string, mount: string): unknown;
  log(level: 'info' | 'warn' | 'error' | 'debug', service: string, message: string): void;
}

interface CjsModule {
  exports: unknown;
  id: string;
  filename: string;
  loaded: boolean;
  context: Record<string, unknown>;
  require?: unknown;
}

const WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];
const NET_HELPERS = Object.freeze({ isIP: net.isIP, isIPv4: net.isIPv4, isIPv6: net.isIPv6 });
const FILE_EXTENSIONS = ['', '.js', '.json'];
const INDEX_FILES = ['/index.js', '/index.json'];

/** The manifest's `files` as objects (not imported from manifest.ts: that pulls joi and semver into every service process's startup). */
function normaliseFileDefinitions(files: Readonly<Record<string, FileDefinition>>): Record<string, { path: string; gzip?: boolean; type?: string }> {
  const result: Record<string, { path: string; gzip?: boolean; type?: string }> = {};
  for (const [prefix, def] of Object.entries(files)) result[prefix] = typeof def === 'string' ? { path: def } : { ...def };
  return result;
}

function moduleFailure(err: unknown, file: string): ArangoError {
  if (typeof err === 'object' && err !== null && [3100, 3101, 3103].includes((err as { errorNum?: unknown }).errorNum as number)) return err as ArangoError;
  const reason = typeof err === 'object' && err !== null && typeof (err as Error).message === 'string' ? `${(err as Error).name ?? 'Error'}: ${(err as Error).message}` : String(err);
  return new ArangoError('ERROR_MODULE_FAILURE', `failed to invoke module\nReason: ${reason}\nFile: ${file}`, { cause: err });
}

/**
 * One service inside one worker: its own `node:vm` context, a CommonJS loader restricted to the
 * service folder, its bundled `node_modules` and the host's allow-list, `module.context`, and the
 * root router its main file fills.
 */
export class ServiceInstance {
  readonly spec: ServiceSpec;
  readonly vmContext: vm.Context;
  readonly foxxContext: Record<string, unknown>;
  readonly router: Router;
  /** The service's `console` (global and `require('console')`). */
  readonly console: Record<string, unknown>;
  readonly #host: SandboxHost;
  readonly #cache = new Map<string, CjsModule>();
  #tree: RouteTree | undefined;
  #mainLoaded = false;
  #mainError: Error | undefined;
  mainExports: unknown = {};

  constructor(spec: ServiceSpec, host: SandboxHost) {
    this.spec = spec;
    this.#host = host;
    this.router = createRouter();
    const label = `${spec.database}${spec.mount}`;
    const consoleObj = createConsole((level, message) => host.log(level, label, message));
    this.console = consoleObj;
    this.vmContext = vm.createContext({
      console: consoleObj,
      Buffer,
      ...cappedTimers(label),
      queueMicrotask,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      process: Object.freeze({
        env: {},
        nextTick: process.nextTick.bind(process),
        version: process.version,
        versions: { ...process.versions },
        platform: process.platform,
        cwd: () => '/',
        // Event and warning hooks some packages probe (depd, via http-errors).
        emitWarning: () => undefined,
        listenerCount: () => 0,
        on: () => undefined,
        once: () => undefined,
        off: () => undefined,
      }),
    });
    vm.runInContext('globalThis.global = globalThis;', this.vmContext);
    // a service's own merges must not turn a `__proto__` attribute of a document into a prototype
    vm.runInContext(REMOVE_PROTO_ACCESSOR_SOURCE, this.vmContext);
    this.foxxContext = this.#createFoxxContext();
  }

  #createFoxxContext(): Record<string, unknown> {
    const spec = this.spec;
    const prefix = collectionPrefix(spec.mount);
    const self = this;
    const dependencies: Record<string, unknown> = {};
    for (const [alias, value] of Object.entries(spec.dependencies)) {
      if (Array.isArray(value)) {
        const list: unknown[] = [];
        value.forEach((m, i) => Object.defineProperty(list, i, { enumerable: true, get: () => this.#host.exportsOf(spec.database, m) }));
        Object.defineProperty(dependencies, alias, { enumerable: true, value: Object.freeze(list) });
      } else {
        Object.defineProperty(dependencies, alias, { enumerable: true, get: () => (value === undefined ? null : this.#host.exportsOf(spec.database, value)) });
      }
    }
    const collectionName = (name: string): string => {
      const fqn = prefix + String(name).replace(/[^a-z0-9]/gi, '_').replace(/(^_+|_+$)/g, '').slice(0, 64);
      if (fqn.length === prefix.length) throw new Error(`Cannot use empty collection name in service "${spec.mount}"`);
      return fqn;
    };
    return {
      mount: spec.mount,
      baseUrl: `/_db/${encodeURIComponent(spec.database)}${spec.mount}`,
      basePath: spec.root,
      collectionPrefix: prefix,
      manifest: spec.manifest,
      configuration: spec.configuration,
      dependencies,
      isDevelopment: spec.development,
      isProduction: !spec.development,
      argv: [],
      service: { mount: spec.mount, database: spec.database },
      collectionName,
      collection(name: string): unknown {
        const { db } = self.#host.builtin('@arangodb', self) as { db: { _collection(n: string): unknown } };
        return db._collection(collectionName(name));
      },
      fileName: (rel: string) => self.#resolveInside(rel),
      file: (rel: string, encoding?: BufferEncoding) => fs.readFileSync(self.#resolveInside(rel), encoding),
      use: (...args: unknown[]) => (this.router.use as (...a: unknown[]) => unknown)(...args),
      registerType: () => undefined,
      createDocumentationRouter: () => createRouter(),
      toJSON: () => ({ mount: spec.mount, baseUrl: `/_db/${spec.database}${spec.mount}` }),
    };
  }

  #resolveInside(rel: string): string {
    const abs = path.resolve(this.spec.root, rel);
    if (!within(abs, this.spec.root)) throw new Error(`Path outside the service: ${rel}`);
    return abs;
  }

  /** Executes the main file once (when the manifest has one) and compiles the routes. */
  loadMain(): void {
    if (this.#mainLoaded) {
      if (this.#mainError) throw this.#mainError;
      return;
    }
    this.#mainLoaded = true;
    const main = this.spec.manifest.main;
    if (main === undefined) return;
    const file = path.resolve(this.spec.root, main);
    try {
      this.mainExports = this.#execute(file, { cache: true });
      this.#tree = compileRoutes(this.router);
    } catch (err) {
      this.#mainError = moduleFailure(err, file);
      throw this.#mainError;
    }
  }

  /** The error main threw, if it did. */
  get mainError(): Error | undefined {
    return this.#mainError;
  }

  /** Runs a file of the service afresh (scripts, tests) with `module.context.argv` = argv. */
  runFile(rel: string, argv: unknown[], globals?: Record<string, unknown>): unknown {
    const file = path.resolve(this.spec.root, rel);
    if (!within(file, this.spec.root)) throw new ArangoError('ERROR_MODULE_NOT_FOUND', `cannot locate module\nFile: ${rel}`);
    const saved = this.foxxContext.argv;
    this.foxxContext.argv = argv;
    const global = vm.runInContext('globalThis', this.vmContext) as Record<string, unknown>;
    if (globals) Object.assign(global, globals);
    try {
      return this.#execute(file, { cache: false });
    } catch (err) {
      throw moduleFailure(err, file);
    } finally {
      this.foxxContext.argv = saved;
      if (globals) for (const k of Object.keys(globals)) Reflect.deleteProperty(global, k);
    }
  }

  /** Serves one request: static `files`, then the router (main is loaded on first use). */
  async handle(request: FoxxRequestData, readFile: (p: string) => { data: Uint8Array; lastModified?: Date }): Promise<FoxxResponseData> {
    const urlPath = request.path.split('?')[0] ?? '/';
    const dd = this.spec.manifest.defaultDocument;
    if ((urlPath === '/' || urlPath === '') && typeof dd === 'string' && dd !== '' && (request.method === 'GET' || request.method === 'HEAD')) {
      // ArangoDB: the root of a service redirects to its manifest's defaultDocument.
      const location = `/_db/${encodeURIComponent(this.spec.database)}${this.spec.mount}/${dd.replace(/^\/+/, '')}`;
      return { status: 302, headers: { location, 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('') };
    }
    const file = this.#staticFile(urlPath);
    if (file !== undefined) return file;
    this.loadMain();
    const tree = this.#tree ?? compileRoutes(this.router);
    this.#tree = tree;
    return dispatch(tree, request, { context: this.foxxContext, readFile, development: this.spec.development });
  }

  #staticFile(urlPath: string): FoxxResponseData | undefined {
    const files = normaliseFileDefinitions(this.spec.manifest.files);
    for (const [prefix, def] of Object.entries(files)) {
      const p = `/${prefix.replace(/^\/+|\/+$/g, '')}`;
      if (urlPath !== p && !urlPath.startsWith(p === '/' ? '/' : `${p}/`)) continue;
      const rest = decodeURIComponent(urlPath.slice(p.length).replace(/^\/+/, ''));
      const abs = path.resolve(this.spec.root, def.path, rest);
      if (!within(abs, this.spec.root) || !fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
        return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(`cannot find file "${rest}"`) };
      }
      const type = def.type ?? (this.#host.builtin('mime-types', this) as { lookup(p: string): string | false }).lookup(abs);
      return { status: 200, headers: { 'content-type': type === false ? 'text/plain; charset=utf-8' : type }, body: fs.readFileSync(abs) };
    }
    return undefined;
  }

  #execute(file: string, opts: { cache: boolean }): unknown {
    const cached = opts.cache ? this.#cache.get(file) : undefined;
    if (cached) return cached.exports;
    if (!fs.existsSync(file)) throw new ArangoError('ERROR_MODULE_NOT_FOUND', `cannot locate module\nFile: ${file}`);
    const mod: CjsModule = { exports: {}, id: file, filename: file, loaded: false, context: this.foxxContext };
    if (opts.cache) this.#cache.set(file, mod);
    try {
      const source = fs.readFileSync(file, 'utf8');
      if (file.endsWith('.json')) {
        mod.exports = JSON.parse(source) as unknown;
      } else {
        let fn: (...args: unknown[]) => unknown;
        try {
          fn = vm.compileFunction(source.replace(/^#!.*/, ''), WRAPPER_PARAMS, { parsingContext: this.vmContext, filename: file }) as (...args: unknown[]) => unknown;
        } catch (err) {
          throw new ArangoError('ERROR_MODULE_SYNTAX_ERROR', `syntax error in module\nFile: ${file}\n${err instanceof Error ? err.message : String(err)}`);
        }
        const dir = path.dirname(file);
        const req = (name: unknown): unknown => this.require(dir, name);
        mod.require = req;
        fn.call(mod.exports, mod.exports, req, mod, file, dir);
      }
      mod.loaded = true;
      return mod.exports;
    } catch (err) {
      if (opts.cache) this.#cache.delete(file);
      throw err;
    }
  }

  /** `require(name)` from a file in `fromDir`: allow-list, then relative files, then bundled node_modules. */
  require(fromDir: string, name: unknown): unknown {
    if (typeof name !== 'string' || name === '') throw new TypeError('require() needs a module name');
    const isPath = name.startsWith('./') || name.startsWith('../') || name.startsWith('/') || name === '.' || name === '..';
    if (!isPath) {
      if (name === 'fs') return restrictedFs(this.spec.root, this.spec.tmpDir);
      // joi 14 validates IP addresses with node's `net`: its pure helpers only, for the shipped packages.
      const packagesDir = packagesDirectory();
      if (name === 'net' && packagesDir !== undefined && within(fromDir, packagesDir)) return NET_HELPERS;
      const builtin = this.#host.builtin(name, this);
      if (builtin !== undefined) return builtin;
      const bundled = this.#resolveNodeModule(fromDir, name);
      if (bundled !== undefined) return this.#execute(bundled, { cache: true });
      const packages = packagesDirectory();
      // a shipped package, or a file of one (`lodash/get`, `semver/package.json`)
      const head = name.split('/')[0] ?? name;
      if (packages !== undefined && (SHIPPED_PACKAGES as readonly string[]).includes(head)) {
        const dir = path.join(packages, ARANGODB_PACKAGE_DIRS[head] ?? head);
        const target = path.resolve(dir, name.slice(head.length + 1));
        const shipped = within(target, dir) ? this.#resolveFile(target) : undefined;
        if (shipped !== undefined) return this.#execute(shipped, { cache: true });
      }
      throw new ArangoError('ERROR_MODULE_NOT_FOUND', `cannot locate module\nModule: ${name}\nFrom: ${fromDir}`);
    }
    const base = path.resolve(fromDir, name);
    const packages = packagesDirectory();
    // Service files load service files; only the shipped packages' own files load theirs.
    const fromPackages = packages !== undefined && within(fromDir, packages) && !within(fromDir, this.spec.root);
    const file = fromPackages || within(base, this.spec.root) ? this.#resolveFile(base) : undefined;
    if (file === undefined) throw new ArangoError('ERROR_MODULE_NOT_FOUND', `cannot locate module\nModule: ${name}\nFrom: ${fromDir}`);
    return this.#execute(file, { cache: true });
  }

  /** True for files a service may load: its own, and the shipped packages. */
  #loadable(file: string): boolean {
    const packages = packagesDirectory();
    return within(file, this.spec.root) || (packages !== undefined && within(file, packages));
  }

  #resolveFile(base: string): string | undefined {
    if (!this.#loadable(base)) return undefined;
    const isFile = (f: string): boolean => this.#loadable(f) && fs.existsSync(f) && fs.statSync(f).isFile();
    for (const ext of FILE_EXTENSIONS) if (isFile(base + ext)) return base + ext;
    // A folder: its package.json `main` (CommonJS entry), then index.js / index.json.
    const pkgFile = path.join(base, 'package.json');
    if (isFile(pkgFile)) {
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: unknown };
      if (typeof pkg.main === 'string' && pkg.main !== '' && pkg.main !== '.' && pkg.main !== './') {
        const main = this.#resolveFile(path.resolve(base, pkg.main));
        if (main !== undefined) return main;
      }
    }
    for (const ext of INDEX_FILES) if (isFile(base + ext)) return base + ext;
    return undefined;
  }

  #resolveNodeModule(fromDir: string, name: string): string | undefined {
    const packages = packagesDirectory();
    const top = within(fromDir, this.spec.root) ? this.spec.root : packages !== undefined && within(fromDir, packages) ? path.dirname(packages) : undefined;
    if (top === undefined) return undefined;
    let dir = fromDir;
    for (;;) {
      const found = this.#resolveFile(path.join(dir, 'node_modules', name));
      if (found !== undefined) return found;
      if (dir === top) return undefined;
      dir = path.dirname(dir);
    }
  }
}

/** Live timers a service may hold at once; more fail with ERROR_RESOURCE_LIMIT. */
export const MAX_TIMERS = 1000;

/** The timer functions of one service, counting its live timers against {@link MAX_TIMERS}. */
function cappedTimers(label: string): Record<string, unknown> {
  const live = new Set<unknown>();
  const admit = (): void => {
    if (live.size >= MAX_TIMERS) throw new ArangoError('ERROR_RESOURCE_LIMIT', `service ${label} holds more than ${MAX_TIMERS} timers`, { httpStatus: 500 });
  };
  type Fn = (...a: unknown[]) => unknown;
  return {
    setTimeout: (fn: Fn, ms?: number, ...args: unknown[]) => {
      admit();
      const t: unknown = setTimeout(() => {
        live.delete(t);
        fn(...args);
      }, ms);
      live.add(t);
      return t;
    },
    setInterval: (fn: Fn, ms?: number, ...args: unknown[]) => {
      admit();
      const t = setInterval(() => fn(...args), ms);
      live.add(t);
      return t;
    },
    setImmediate: (fn: Fn, ...args: unknown[]) => {
      admit();
      const t: unknown = setImmediate(() => {
        live.delete(t);
        fn(...args);
      });
      live.add(t);
      return t;
    },
    clearTimeout: (t: NodeJS.Timeout | undefined) => {
      live.delete(t);
      clearTimeout(t);
    },
    clearInterval: (t: NodeJS.Timeout | undefined) => {
      live.delete(t);
      clearInterval(t);
    },
    clearImmediate: (t: NodeJS.Immediate | undefined) => {
      live.delete(t);
      clearImmediate(t);
    },
  };
}
