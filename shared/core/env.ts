import { ConfigError } from './errors.ts';
import { isEmailAddress } from './text/email-address.ts';

/** The environment a reader looks at: process.env in a Lambda, a plain object in tests. */
export type Env = Record<string, string | undefined>;

/** Reads a required variable; the message names it so a broken deploy is obvious in the first log line. */
export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
}

export function optionalEnv(name: string, fallback: string, env: Env = process.env): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function intEnv(name: string, fallback: number, env: Env = process.env): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`Environment variable ${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/** `true` or `false` (required: the deploy says which, so nothing is published by accident). */
export function booleanEnv(name: string, env: Env = process.env): boolean {
  const value = requireEnv(name, env);
  if (value !== 'true' && value !== 'false') {
    throw new ConfigError(`Environment variable ${name} must be true or false, got "${value}"`);
  }
  return value === 'true';
}

export function emailEnv(name: string, env: Env = process.env): string {
  const value = requireEnv(name, env);
  if (!isEmailAddress(value)) {
    throw new ConfigError(`Environment variable ${name} must be an email address, got "${value}"`);
  }
  return value;
}

export function urlEnv(name: string, env: Env = process.env): string {
  return absoluteUrl(name, requireEnv(name, env));
}

/** An http(s) URL without trailing slash; `fallback` when the variable is not set. */
export function httpUrlEnv(name: string, env: Env = process.env, fallback?: string): string {
  const value = absoluteUrl(
    name,
    fallback === undefined ? requireEnv(name, env) : optionalEnv(name, fallback, env),
  );
  if (!/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`Environment variable ${name} must be an http(s) URL`);
  }
  return value;
}

function absoluteUrl(name: string, value: string): string {
  try {
    new URL(value);
  } catch (cause) {
    throw new ConfigError(`Environment variable ${name} must be an absolute URL, got "${value}"`, { cause });
  }
  return value.replace(/\/+$/, '');
}
