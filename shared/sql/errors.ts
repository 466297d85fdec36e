import { CollectorError } from '../errors.ts';

/** Base class of the errors of running SQL over the views (DuckDB locally, Athena in AWS). */
export class QueryError extends CollectorError {
  /** The query's name (e.g. `report admins`). */
  readonly query: string;
  /** What happened, without the query's name (for a caller that names the query its own way). */
  readonly detail: string;
  constructor(query: string, message: string, options?: { cause?: unknown }) {
    super(`query '${query}': ${message}`, {}, options);
    this.name = 'QueryError';
    this.query = query;
    this.detail = message;
  }
}

/** The engine did not accept the query (Athena's StartQueryExecution failed: permissions, workgroup, throttling). */
export class QueryStartError extends QueryError {
  constructor(query: string, message: string, options?: { cause?: unknown }) {
    super(query, message, options);
    this.name = 'QueryStartError';
  }
}

/** The engine ran the query and it failed or was cancelled; the message carries the engine's reason. */
export class QueryFailedError extends QueryError {
  constructor(query: string, message: string, options?: { cause?: unknown }) {
    super(query, message, options);
    this.name = 'QueryFailedError';
  }
}

/** The query was still running when its bounded wait ended; it was stopped. */
export class QueryTimeoutError extends QueryError {
  constructor(query: string, message: string, options?: { cause?: unknown }) {
    super(query, message, options);
    this.name = 'QueryTimeoutError';
  }
}

/** The query succeeded but its results could not be read or had an unexpected shape. */
export class QueryResultError extends QueryError {
  constructor(query: string, message: string, options?: { cause?: unknown }) {
    super(query, message, options);
    this.name = 'QueryResultError';
  }
}
