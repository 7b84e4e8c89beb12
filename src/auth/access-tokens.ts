import { createHash, randomBytes } from 'node:crypto';
import { ArangoError } from '../errors/index.ts';
import { catalog, type StorageEngine } from '../storage/index.ts';

/** An access token's public description (`/_api/token/{user}`; the secret is never stored). */
export interface AccessTokenInfo {
  readonly id: number;
  readonly name: string;
  /** Unix seconds; 0 = never expires. */
  readonly valid_until: number;
  readonly created_at: number;
  readonly fingerprint: string;
  readonly active: boolean;
}

const TOKENS = '_tokens';
/** Prefix of access tokens, so a bearer value is told apart from a JWT without trying both. */
export const ACCESS_TOKEN_PREFIX = 'v1.';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Access tokens of users: long random secrets usable as `Authorization: bearer <token>`.
 * Only their SHA-256 is kept (as the document key in `_system/_tokens`), so the token itself
 * is shown once, at creation.
 */
export class AccessTokenStore {
  readonly #engine: StorageEngine;
  readonly #listeners = new Set<() => void>();

  constructor(engine: StorageEngine) {
    this.#engine = engine;
  }

  /** Called after a token was created or deleted. */
  onChange(fn: () => void): void {
    this.#listeners.add(fn);
  }

  /** Creates a token; throws 1207 when the user already has one of that name, 400 on bad input. */
  async create(user: string, name: unknown, validUntil: unknown): Promise<AccessTokenInfo & { token: string }> {
    if (typeof name !== 'string' || name === '') throw new ArangoError('ERROR_BAD_PARAMETER', "expecting a non-empty 'name'");
    if (validUntil !== undefined && (typeof validUntil !== 'number' || !Number.isFinite(validUntil) || validUntil < 0)) {
      throw new ArangoError('ERROR_BAD_PARAMETER', "'valid_until' must be a Unix timestamp in seconds");
    }
    if (this.list(user).some((t) => t.name === name)) throw new ArangoError('ERROR_ARANGO_DUPLICATE_NAME', `access token '${name}' exists`);
    if (!this.#engine.findCollection('_system', TOKENS)) await catalog.createCollection(this.#engine, '_system', TOKENS, { isSystem: true });
    const c = this.#engine.collection('_system', TOKENS);
    const token = ACCESS_TOKEN_PREFIX + randomBytes(32).toString('hex');
    const info: AccessTokenInfo = {
      id: Number(this.#engine.newId()),
      name,
      valid_until: typeof validUntil === 'number' ? Math.floor(validUntil) : 0,
      created_at: Math.floor(Date.now() / 1000),
      fingerprint: `${ACCESS_TOKEN_PREFIX}${sha256(token).slice(0, 16)}`,
      active: true,
    };
    await this.#engine.write((tx) => c.insert(tx, { _key: sha256(token), user, ...info }));
    this.#changed();
    return { ...info, active: isActive(info), token };
  }

  /** The tokens of a user (without their secrets). */
  list(user: string): AccessTokenInfo[] {
    const c = this.#engine.findCollection('_system', TOKENS);
    if (!c) return [];
    const out: AccessTokenInfo[] = [];
    for (const d of c.all()) {
      if (d['user'] !== user) continue;
      const info = describe(d);
      out.push({ ...info, active: isActive(info) });
    }
    return out;
  }

  /** Deletes a token of a user; throws 1202 when unknown. */
  async remove(user: string, id: number): Promise<void> {
    const c = this.#engine.findCollection('_system', TOKENS);
    const doc = c ? [...c.all()].find((d) => d['user'] === user && d['id'] === id) : undefined;
    if (!c || !doc) throw new ArangoError('ERROR_ARANGO_DOCUMENT_NOT_FOUND', 'access token not found');
    await this.#engine.write((tx) => c.remove(tx, doc._key));
    this.#changed();
  }

  /** The user a token belongs to, or null when it is unknown or expired. */
  resolve(token: string): string | null {
    const d = this.#engine.findCollection('_system', TOKENS)?.get(sha256(token));
    if (!d || typeof d['user'] !== 'string') return null;
    return isActive(describe(d)) ? d['user'] : null;
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }
}

function describe(d: Record<string, unknown>): AccessTokenInfo {
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return {
    id: num(d['id']),
    name: String(d['name']),
    valid_until: num(d['valid_until']),
    created_at: num(d['created_at']),
    fingerprint: String(d['fingerprint']),
    active: true,
  };
}

function isActive(t: AccessTokenInfo): boolean {
  return t.valid_until === 0 || t.valid_until > Date.now() / 1000;
}
