import { ArangoError, errorNameOf } from '../errors/index.ts';
import type { DataSource } from './data-source.ts';
import type { FunctionContext } from './functions/index.ts';

/** Execution statistics, named as in ArangoDB's `extra.stats`. */
export interface QueryStats {
  writesExecuted: number;
  writesIgnored: number;
  scannedFull: number;
  scannedIndex: number;
  filtered: number;
  /** Set when the query ran with `fullCount`: rows before the top-level LIMIT. */
  fullCount?: number;
  executionTime: number;
  peakMemoryUsage: number;
}

/** A query warning as ArangoDB reports it. */
export interface QueryWarning {
  readonly code: number;
  readonly message: string;
}

/** Limits and identity for one execution. */
export interface ExecLimits {
  /** Seconds; 0 = unlimited. Exceeding it kills the query (error 1500). */
  readonly maxRuntime: number;
  /** Bytes; 0 = unlimited. Exceeding it fails the query (error 32). */
  readonly memoryLimit: number;
  readonly maxWarningCount: number;
  readonly failOnWarning: boolean;
  readonly user: string | null;
  readonly database: string;
  readonly signal: AbortSignal | undefined;
  /** Shared Int32 cell another thread sets to kill the query (1 killed, 2 maxRuntime exceeded). */
  readonly killCell?: Int32Array | undefined;
  /** Throws when the caller may not read a collection; absent = no access control. */
  readonly requireRead?: ((collection: string) => void) | undefined;
  /** `performance.now()` after which the execution gives up with {@link BudgetExceeded} (a query tried inline). */
  readonly budgetDeadline?: number | undefined;
}

/**
 * Thrown when an execution passes its `budgetDeadline`: not a query error, a signal to its caller
 * that the query is too heavy to finish where it was tried (it runs again elsewhere).
 */
export class BudgetExceeded extends Error {
  constructor() {
    super('query exceeded its inline time budget');
  }
}

/**
 * Mutable per-execution state shared by all compiled closures: stats, warnings,
 * kill flag, deadline and memory accounting.
 */
export class ExecContext implements FunctionContext {
  readonly stats: QueryStats = {
    writesExecuted: 0, writesIgnored: 0, scannedFull: 0, scannedIndex: 0, filtered: 0, executionTime: 0, peakMemoryUsage: 0,
  };
  readonly warnings: QueryWarning[] = [];
  readonly user: string | null;
  readonly database: string;
  private killedReason: 'killed' | 'timeout' | undefined;
  private ticks = 0;
  /** Rows between checks: 256, or 16 under a budget (a budget is a millisecond or so). */
  private readonly tickMask: number;
  private readonly deadline: number;
  private memory = 0;
  readonly started = performance.now();

  constructor(readonly dataSource: DataSource, private readonly limits: ExecLimits) {
    this.user = limits.user;
    this.database = limits.database;
    this.deadline = limits.maxRuntime > 0 ? Date.now() + limits.maxRuntime * 1000 : 0;
    this.tickMask = limits.budgetDeadline === undefined ? 255 : 15;
  }

  warn(code: number, message: string): void {
    // failOnWarning: the warning itself becomes the error (its errorNum and message), as in ArangoDB
    if (this.limits.failOnWarning) throw new ArangoError(errorNameOf(code) ?? 'ERROR_QUERY_SCRIPT', message);
    if (this.warnings.length < this.limits.maxWarningCount) this.warnings.push({ code, message });
  }

  /** Marks the query killed; the next check throws ERROR_QUERY_KILLED. */
  kill(): void {
    this.killedReason = 'killed';
  }

  requireRead(collection: string): void {
    this.limits.requireRead?.(collection);
  }

  checkAlive(): void {
    if (this.killedReason === undefined) {
      const cell = this.limits.killCell === undefined ? 0 : Atomics.load(this.limits.killCell, 0);
      if (cell !== 0) this.killedReason = cell === 2 ? 'timeout' : 'killed';
      else if (this.limits.signal?.aborted === true) this.killedReason = 'killed';
      else if (this.deadline !== 0 && Date.now() > this.deadline) this.killedReason = 'timeout';
      else if (this.limits.budgetDeadline !== undefined && performance.now() > this.limits.budgetDeadline) throw new BudgetExceeded();
      else return;
    }
    throw new ArangoError('ERROR_QUERY_KILLED', this.killedReason === 'timeout' ? 'query killed (maxRuntime exceeded)' : 'query killed');
  }

  /** Cheap per-row check: looks at the clock every 256 rows (16 under a budget). */
  tick(): void {
    if ((++this.ticks & this.tickMask) === 0) this.checkAlive();
  }

  /** Accounts `bytes` of buffered data (negative to release). */
  track(bytes: number): void {
    this.memory += bytes;
    if (this.memory > this.stats.peakMemoryUsage) {
      this.stats.peakMemoryUsage = this.memory;
      if (this.limits.memoryLimit > 0 && this.memory > this.limits.memoryLimit) {
        throw new ArangoError('ERROR_RESOURCE_LIMIT', `query would use more memory than allowed (${this.limits.memoryLimit} bytes)`);
      }
    }
  }

  /** True when precise (costly) memory estimates are needed. */
  get preciseMemory(): boolean {
    return this.limits.memoryLimit > 0;
  }
}
