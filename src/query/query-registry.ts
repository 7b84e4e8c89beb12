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
  /** Most memory the query's executor accounted for, in bytes. */
  readonly peakMemoryUsage: number;
  readonly state: 'queued' | 'executing' | 'finished' | 'killed';
  readonly stream: boolean;
  readonly modificationQuery: boolean;
  /** Only in the slow-query log: the errorNum the query failed with, 0 on success. */
  readonly exitCode?: number;
}

/** What the registry needs of a query that has ended. */
export interface EndedQuery {
  readonly id: string;
  readonly database: string;
  readonly user: string | null;
  readonly query: string;
  readonly bindVars: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  readonly modification: boolean;
  readonly extra: { readonly stats: { readonly peakMemoryUsage: number } };
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
  finished(q: EndedQuery, startedMs: number, exitCode: number): void {
    const p = this.properties;
    const runTime = (Date.now() - startedMs) / 1000;
    if (!p.enabled || !p.trackSlowQueries || runTime < (q.stream ? p.slowStreamingQueryThreshold : p.slowQueryThreshold)) return;
    this.#slow.push({
      id: q.id,
      database: q.database,
      user: q.user,
      query: q.query.slice(0, p.maxQueryStringLength),
      bindVars: p.trackBindVars ? q.bindVars : {},
      started: new Date(startedMs).toISOString(),
      runTime,
      peakMemoryUsage: q.extra.stats.peakMemoryUsage,
      state: exitCode === 1500 ? 'killed' : 'finished',
      stream: q.stream,
      modificationQuery: q.modification,
      exitCode,
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
