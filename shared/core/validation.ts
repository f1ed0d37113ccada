/**
 * Validation at the boundary: a zod/mini schema's result, or a ValidationError with one message per
 * field. Payloads are parsed once, where they enter (workflowStep, the HTTP edge), never again inside.
 */
import type * as z from 'zod/mini';
import { type FieldError, ValidationError } from './errors.ts';

/**
 * Validates a state machine payload; on failure throws ValidationError with one message per field
 * (the first problem found for it), before anything is read or written.
 */
export function parsePayload<T>(schema: z.ZodMiniType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const byField = new Map<string, string>();
  for (const issue of result.error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(payload)';
    if (!byField.has(field)) byField.set(field, issue.message);
  }
  throw new ValidationError([...byField].map(([field, message]): FieldError => ({ field, message })));
}

/** A ValidationError for one field, e.g. a payload that is well-formed but inconsistent. */
export function invalid(field: string, message: string): ValidationError {
  return new ValidationError([{ field, message }]);
}
