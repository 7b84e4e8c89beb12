import crypto from 'node:crypto';

type Opts = Record<string, unknown>;
type Req = Record<string, unknown> & { headers: Record<string, string | undefined>; cookie?(name: string, o?: Opts): string | undefined };
type Res = Record<string, unknown> & { cookie?(name: string, value: string, o?: Opts): unknown; setHeader?(n: string, v: string): unknown; set?(n: string, v: string): unknown };

interface Session {
  _key?: string;
  uid: unknown;
  created: number;
  data: unknown;
}
interface Storage {
  'new'(): Session;
  fromClient(sid: string): Session | null;
  forClient(session: Session | null): string | null;
  save?(session: Session): Session;
  clear?(session: Session): boolean;
}
interface Transport {
  get?(req: Req): string | null | undefined;
  set?(res: Res, sid: string): void;
  clear?(res: Res): void;
}

interface Coll {
  save(doc: unknown): { _key: string };
  document(key: string): Record<string, unknown>;
  replace(key: string, doc: unknown): unknown;
  remove(key: string): unknown;
  exists(key: string): unknown;
}

/** `@arangodb/foxx/sessions` and its storages/transports (the common uses of spec §4.8). */
export function createSessionsModules(arangodb: Record<string, unknown>, cryptoModule: Record<string, unknown>): Record<string, unknown> {
  const db = arangodb.db as { _collection(n: string): Coll | null };
  const collectionStorage = (opts: unknown): Storage => {
    const o = (typeof opts === 'string' || (typeof opts === 'object' && opts !== null && typeof (opts as { save?: unknown }).save === 'function') ? { collection: opts } : (opts ?? {})) as Opts;
    const ttl = typeof o.ttl === 'number' ? o.ttl : 3600;
    const coll = (): Coll => {
      const c = typeof o.collection === 'string' ? db._collection(o.collection) : (o.collection as Coll);
      if (c === null || c === undefined) throw new Error(`Session collection not found: ${String(o.collection)}`);
      return c;
    };
    return {
      new: () => ({ uid: null, created: Date.now(), data: null }),
      fromClient(sid) {
        try {
          const doc = coll().document(sid);
          if (typeof doc.expires === 'number' && doc.expires < Date.now()) return null;
          return { _key: doc._key as string, uid: doc.uid, created: doc.created as number, data: doc.data };
        } catch {
          return null;
        }
      },
      forClient(session) {
        if (session === null) return null;
        if (session._key === undefined || o.autoUpdate !== false) this.save?.(session);
        return session._key ?? null;
      },
      save(session) {
        const doc = { uid: session.uid, created: session.created, expires: Date.now() + ttl * 1000, data: session.data };
        if (session._key === undefined) {
          const key = crypto.createHash('sha256').update(crypto.randomBytes(32)).digest('hex');
          coll().save({ _key: key, ...doc });
          session._key = key;
        } else coll().replace(session._key, doc);
        return session;
      },
      clear(session) {
        if (session._key === undefined) return false;
        try {
          coll().remove(session._key);
        } catch {
          return false;
        }
        delete session._key;
        return true;
      },
    };
  };
  const jwtStorage = (opts: unknown): Storage => {
    const o = (typeof opts === 'string' ? { secret: opts } : (opts ?? {})) as Opts;
    const algorithm = String(o.algorithm ?? (o.secret === undefined ? 'none' : 'HS512'));
    const ttl = typeof o.ttl === 'number' ? o.ttl : 3600;
    const encode = cryptoModule.jwtEncode as (k: string, m: unknown, a: string) => string;
    const decode = cryptoModule.jwtDecode as (k: string, t: string, n: boolean) => unknown;
    return {
      new: () => ({ uid: null, created: Date.now(), data: null }),
      fromClient(sid) {
        try {
          const token = decode(String(o.secret ?? ''), sid, o.verify === false || algorithm === 'none') as Opts;
          if (typeof token.exp === 'number' && token.exp * 1000 < Date.now()) return null;
          return { uid: token.uid, created: token.iat as number, data: token.payload };
        } catch {
          return null;
        }
      },
      forClient: (session) => (session === null ? null : encode(String(o.secret ?? ''), { uid: session.uid, iat: session.created, exp: Math.floor(Date.now() / 1000) + ttl, payload: session.data }, algorithm)),
    };
  };
  const cookieTransport = (opts: unknown): Transport => {
    const o = (typeof opts === 'string' ? { name: opts } : (opts ?? {})) as Opts;
    const name = String(o.name ?? 'sid');
    const cookieOpts: Opts = { ttl: o.ttl, secret: o.secret, algorithm: o.algorithm, path: o.path, domain: o.domain, secure: o.secure, httpOnly: o.httpOnly };
    return {
      get: (req) => req.cookie?.(name, { secret: o.secret, algorithm: o.algorithm }) ?? null,
      set: (res, sid) => void res.cookie?.(name, sid, cookieOpts),
      clear: (res) => void res.cookie?.(name, '', { ...cookieOpts, ttl: -1 }),
    };
  };
  const headerTransport = (opts: unknown): Transport => {
    const o = (typeof opts === 'string' ? { name: opts } : (opts ?? {})) as Opts;
    const name = String(o.name ?? 'X-Session-Id');
    return { get: (req) => req.headers[name.toLowerCase()] ?? null, set: (res, sid) => void res.set?.(name, sid) };
  };
  const resolveTransport = (t: unknown): Transport => (t === 'cookie' ? cookieTransport({}) : t === 'header' ? headerTransport({}) : (t as Transport));
  const sessionMiddleware = (opts: Opts) => {
    const storage: Storage = typeof opts.storage === 'object' && opts.storage !== null && typeof (opts.storage as Storage).fromClient === 'function' ? (opts.storage as Storage) : collectionStorage(opts.storage);
    const transports = (Array.isArray(opts.transport) ? opts.transport : [opts.transport ?? 'cookie']).map(resolveTransport);
    const autoCreate = opts.autoCreate !== false;
    return {
      register: () => async (req: Req, res: Res, next: () => unknown) => {
        let sid: string | null | undefined = null;
        for (const t of transports) {
          sid = t.get?.(req);
          if (sid) break;
        }
        let session: Session | null = sid ? storage.fromClient(sid) : null;
        if (session === null && autoCreate) session = storage["new"]();
        req.session = session;
        req.sessionStorage = storage;
        await next();
        const current = req.session as Session | null;
        if (current === null || current === undefined) {
          for (const t of transports) t.clear?.(res);
          return;
        }
        const out = storage.forClient(current);
        if (out !== null) for (const t of transports) t.set?.(res, out);
      },
    };
  };
  return {
    '@arangodb/foxx/sessions': Object.assign(sessionMiddleware, { sessionMiddleware }),
    '@arangodb/foxx/sessions/storages/collection': collectionStorage,
    '@arangodb/foxx/sessions/storages/jwt': jwtStorage,
    '@arangodb/foxx/sessions/transports/cookie': cookieTransport,
    '@arangodb/foxx/sessions/transports/header': headerTransport,
  };
}
