import { ArangoError } from '../errors/index.ts';

/** An HTTP answer from the leader. */
export interface LeaderResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * Talks to the leader's replication endpoints with the deployment's superuser JWT. Every call
 * has a deadline and can be cancelled with `abort()` (the applier stops at once).
 */
export class LeaderClient {
  readonly endpoint: string;
  readonly #token: () => string;
  readonly #controller = new AbortController();

  constructor(endpoint: string, token: () => string) {
    this.endpoint = endpoint.replace(/^tcp:\/\//, 'http://').replace(/^ssl:\/\//, 'https://').replace(/\/+$/, '');
    this.#token = token;
  }

  abort(): void {
    this.#controller.abort();
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  async request(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<LeaderResponse> {
    const signal = AbortSignal.any([this.#controller.signal, AbortSignal.timeout(timeoutMs)]);
    let res: Response;
    try {
      res = await fetch(this.endpoint + path, {
        method,
        headers: { authorization: `bearer ${this.#token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (err) {
      throw new ArangoError('ERROR_REPLICATION_NO_RESPONSE', `no response from leader ${this.endpoint}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = await res.text().catch((err: unknown) => {
      throw new ArangoError('ERROR_REPLICATION_NO_RESPONSE', `leader ${this.endpoint} broke off its answer`, { cause: err });
    });
    return { status: res.status, headers: res.headers, text };
  }

  /** A JSON call that must succeed (2xx); anything else is a leader error (1402). */
  async json<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const r = await this.request(method, path, body, timeoutMs);
    if (r.status >= 300) throw new ArangoError('ERROR_REPLICATION_LEADER_ERROR', `leader answered ${r.status} to ${method} ${path}: ${r.text.slice(0, 300)}`);
    return JSON.parse(r.text) as T;
  }
}
