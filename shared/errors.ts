/**
 * Typed errors. Lambda reports `error.name` as the Step Functions error name, so the names here are
 * part of the state machine's contract (Retry matches `TransientError`, Catch matches the rest).
 * HTTP status codes are assigned only at the edge (shared/http).
 */
export class WorkflowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Configuration is missing or malformed; raised at module load so a bad deploy fails fast. */
export class ConfigError extends WorkflowError {}

export interface FieldError {
  field: string;
  message: string;
}

/** Input failed validation; carries one message per field. Nothing was written. */
export class ValidationError extends WorkflowError {
  readonly errors: FieldError[];
  constructor(errors: FieldError[], options?: { cause?: unknown }) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '), options);
    this.errors = errors;
  }
}

export class NotFoundError extends WorkflowError {}

/** A conditional write lost: the item changed or already exists. */
export class ConflictError extends WorkflowError {}

/** A downstream service failed in a way that is worth retrying (throttling, 5xx, network). */
export class TransientError extends WorkflowError {}
