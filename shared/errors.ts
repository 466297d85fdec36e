/**
 * Errors of the collector. Each subclass sets `name`, so Step Functions can route on it
 * (`Catch.ErrorEquals`), and carries a message that says what to do.
 */

/** Where an error happened: enough for a user to find the unit and the request. */
export interface ErrorContext {
  org?: string;
  product?: string;
  site?: string;
  endpoint?: string;
  status?: number;
}

function where(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.org) parts.push(`org ${ctx.org}`);
  if (ctx.product) parts.push(`product ${ctx.product}`);
  if (ctx.site) parts.push(`site ${ctx.site}`);
  if (ctx.endpoint) parts.push(`endpoint ${ctx.endpoint}`);
  if (ctx.status !== undefined) parts.push(`HTTP ${ctx.status}`);
  return parts.length ? `[${parts.join(', ')}] ` : '';
}

/** Base class of every error the collector raises on purpose. */
export class CollectorError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(`${where(context)}${message}`, options);
    this.name = 'CollectorError';
    this.context = context;
  }
}

/** Invalid configuration, arguments or environment. */
export class ConfigError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'ConfigError';
  }
}

/** 401: the credential is missing, wrong, expired or used against the wrong base URL. */
export class AuthenticationError extends CollectorError {
  constructor(message: string, context: ErrorContext, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'AuthenticationError';
  }
}

/** 403: the credential is valid but lacks a scope or admin permission. */
export class PermissionError extends CollectorError {
  constructor(message: string, context: ErrorContext) {
    super(message, context);
    this.name = 'PermissionError';
  }
}

/** A request kept failing (5xx, 429, reset, timeout) after every retry. */
export class RetriesExhaustedError extends CollectorError {
  constructor(message: string, context: ErrorContext, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'RetriesExhaustedError';
  }
}

/**
 * The API keeps answering 429 (or asks for a longer wait than one invocation may sleep). The unit is not
 * failed: the invocation returns its checkpoint with `waitSeconds`, and the workflow waits that long.
 */
export class RateLimitedError extends CollectorError {
  readonly retryAfterMs: number;
  constructor(message: string, context: ErrorContext, retryAfterMs: number, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** An HTTP status the collector does not expect for this endpoint (e.g. 400, 404 on a list). */
export class UnexpectedResponseError extends CollectorError {
  constructor(message: string, context: ErrorContext) {
    super(message, context);
    this.name = 'UnexpectedResponseError';
  }
}

/** A payload we depend on does not have the shape the published API documents. */
export class PayloadError extends CollectorError {
  constructor(message: string, context: ErrorContext, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'PayloadError';
  }
}

/** A 404 on a child endpoint: the parent vanished between listing and the child request. */
export class NotFoundError extends CollectorError {
  constructor(message: string, context: ErrorContext) {
    super(message, context);
    this.name = 'NotFoundError';
  }
}

/**
 * The instance runs a version without an endpoint the collector needs (a Data Center endpoint added in a later
 * release): the unit fails, naming the endpoint, the version found and the version needed.
 */
export class UnsupportedVersionError extends CollectorError {
  constructor(message: string, context: ErrorContext, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'UnsupportedVersionError';
  }
}

/** A setting of the instance or the server in front of it refuses a request the collector must make. */
export class InstanceSettingError extends CollectorError {
  constructor(message: string, context: ErrorContext, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = 'InstanceSettingError';
  }
}

/** Output storage (local folder or S3) failed. */
export class StorageError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'StorageError';
  }
}
