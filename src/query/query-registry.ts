/** `/_api/query/properties`, as ArangoDB names them. */
export interface QueryTrackingProperties {
  enabled: boolean;
  trackSlowQueries: boolean;
  trackBindVars: boolean;
  maxSlowQueries: number;
  slowQueryThreshold: number;
  slowStreamingQueryThreshold: number;
  maxQueryStringLength: number;
}

/** A finished or running query as `/_api/query/current|slow` list it. */
export interface QueryListing {
  readonly id: string;
  readonly database: string;
  readonly user: string | null;
  readonly query: string;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly started: string;
  readonly runTime: number;
  readonly state: 'queued' | 'executing' | 'finished';
  readonly stream: boolean;
}

/**
 * The slow-query log and the tracking properties of the server (ArangoDB keeps them per
 * database; kitsune keeps one set of properties and filters the log by database).
 */
export class QueryRegistry {
  readonly properties: QueryTrackingProperties = {
    enabled: true,
    trackSlowQueries: true,
    trackBindVars: true,
    maxSlowQueries: 64,
    slowQueryThreshold: 10,
    slowStreamingQueryThreshold: 10,
    maxQueryStringLength: 4096,
  };
  #slow: QueryListing[] = [];

  /** Applies the known properties of a PUT body (others are ignored, as ArangoDB does). */
  update(body: Readonly<Record<string, unknown>>): void {
    const p = this.properties;
    for (const k of ['enabled', 'trackSlowQueries', 'trackBindVars'] as const) if (typeof body[k] === 'boolean') p[k] = body[k];
    for (const k of ['maxSlowQueries', 'slowQueryThreshold', 'slowStreamingQueryThreshold', 'maxQueryStringLength'] as const) {
      const v = body[k];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) p[k] = v;
    }
    this.#slow = this.#slow.slice(-this.properties.maxSlowQueries);
  }

  /** Records a finished query if it ran past the threshold. */
  finished(q: Omit<QueryListing, 'state' | 'runTime' | 'started'>, startedMs: number): void {
    const p = this.properties;
    const runTime = (Date.now() - startedMs) / 1000;
    if (!p.enabled || !p.trackSlowQueries || runTime < (q.stream ? p.slowStreamingQueryThreshold : p.slowQueryThreshold)) return;
    this.#slow.push({
      ...q,
      query: q.query.slice(0, p.maxQueryStringLength),
      bindVars: p.trackBindVars ? q.bindVars : {},
      started: new Date(startedMs).toISOString(),
      runTime,
      state: 'finished',
    });
    if (this.#slow.length > p.maxSlowQueries) this.#slow.splice(0, this.#slow.length - p.maxSlowQueries);
  }

  slow(database: string): QueryListing[] {
    return this.#slow.filter((q) => q.database === database);
  }

  clearSlow(database: string): void {
    this.#slow = this.#slow.filter((q) => q.database !== database);
  }
}
