/**
 * Typed errors. Lambda reports `error.name` as the Step Functions error name, so the names here are
 * part of the state machine's contract (Retry matches `TransientError`, Catch matches the rest).
 * Each class spells its name as a string literal: the deployed bundles are minified, which renames
 * classes, so a name taken from the class (`new.target.name`) would reach Step Functions as `ur`
 * and no Retry would ever match (test/bundles/error-names.test.ts runs the real bundles to prove it).
 * HTTP status codes are assigned only at the edge (shared/http).
 */
export class WorkflowError extends Error {
  override name = 'WorkflowError';
}

/** Configuration is missing or malformed; raised at module load so a bad deploy fails fast. */
export class ConfigError extends WorkflowError {
  override name = 'ConfigError';
}

export interface FieldError {
  field: string;
  message: string;
}

/** Input failed validation; carries one message per field. Nothing was written. */
export class ValidationError extends WorkflowError {
  override name = 'ValidationError';
  readonly errors: FieldError[];
  constructor(errors: FieldError[], options?: { cause?: unknown }) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '), options);
    this.errors = errors;
  }
}

export class NotFoundError extends WorkflowError {
  override name = 'NotFoundError';
}

/** A conditional write lost: the item changed or already exists. */
export class ConflictError extends WorkflowError {
  override name = 'ConflictError';
}

/** A downstream service failed in a way that is worth retrying (throttling, 5xx, network). */
export class TransientError extends WorkflowError {
  override name = 'TransientError';
}

/** The 4xx statuses a refused link answers with (shared/core/http/edge.ts sends them as they are). */
export type RefusalStatus = 400 | 403 | 404 | 409 | 410 | 413 | 415 | 429;

/** One refusal as the person reads it: the page's HTTP status, its title, and what to do instead. */
export type Refusal<Status extends RefusalStatus = RefusalStatus> = readonly [
  status: Status,
  title: string,
  message: string,
];

/**
 * An emailed link (a vendor's upload or incident link) that cannot do what it was opened for: unknown,
 * altered, expired, used up, or given something it cannot take. Nothing was written. Each feature keeps
 * its refusals in one table and throws its own subclass; the edge answers any of them with its status,
 * title and message, on the route's page.
 */
export class LinkRefusedError<Status extends RefusalStatus = RefusalStatus> extends WorkflowError {
  override name = 'LinkRefusedError';
  readonly status: Status;
  readonly title: string;
  constructor([status, title, message]: Refusal<Status>, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.title = title;
  }
}

/** The name of anything thrown (an Error's `name`, else "Error"), for logs and Step Functions. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error';
}

/** Anything thrown, as an Error (a thrown string or object is wrapped, keeping it as the cause). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error), { cause: error });
}
