/**
 * Emailed task links (docs/design.md "Human tasks and links"): a random task id and a 256-bit secret.
 * Only SHA-256(secret) is stored; the secret itself exists only in the email and in the approver's
 * browser. The Step Functions task token never appears in a link.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128-bit random id, base64url (22 characters). */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

/** 256-bit random link secret, base64url (43 characters). */
export function newTaskSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** A task id as newTaskId makes it: anything else is answered "not found" without a database read. */
export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value);
}

/** Constant-time comparison of the presented secret's hash with the stored hash. */
export function secretMatches(secret: string | undefined, storedHash: string): boolean {
  if (!secret) return false;
  const presented = Buffer.from(hashSecret(secret), 'base64url');
  const stored = Buffer.from(storedHash, 'base64url');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** The page path of a task, relative to the public base URL. */
export function taskPath(taskId: string): string {
  return `/tasks/${encodeURIComponent(taskId)}`;
}

/** The emailed link: the task id and the secret, nothing else. */
export function taskLink(publicBaseUrl: string, taskId: string, secret: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${taskPath(taskId)}?t=${encodeURIComponent(secret)}`;
}

/**
 * The reply page of a question (kind `answer`): the same id + secret rules as a task link, on its
 * own path, so a team's task link and a requester's or vendor's reply link never open each other.
 */
export function replyPath(taskId: string): string {
  return `/replies/${encodeURIComponent(taskId)}`;
}

export function replyLink(publicBaseUrl: string, taskId: string, secret: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${replyPath(taskId)}?t=${encodeURIComponent(secret)}`;
}
