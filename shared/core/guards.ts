/**
 * Narrowing without assertions: type guards for values read from outside (JSON, events, forms) and
 * for the closed lists the product names (teams, kinds, statuses).
 */

/** A plain object (not null, not an array): its fields can be read as unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One of a closed list of literals, e.g. `isOneOf(REGISTRY_STATUSES, status)`. */
export function isOneOf<const T extends readonly unknown[]>(list: T, value: unknown): value is T[number] {
  return list.some((item) => item === value);
}

/**
 * The keys of an object literal with their literal type. `Object.keys` returns `string[]` because an
 * object may carry more keys than its type says; the product's constant maps (TEAMS, TASK_KINDS,
 * STATE_MACHINES) carry exactly theirs, which is the one place this is asserted.
 */
export function keysOf<T extends object>(value: T): (keyof T & string)[] {
  return Object.keys(value) as (keyof T & string)[];
}

/** A field of an unknown value, if it is an object that has it. */
export function fieldOf(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}
