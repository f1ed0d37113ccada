/**
 * The local clock: real time plus an offset that a test or the user advances (`POST /_local/clock`).
 * It drives every wait of the local runtime: schedules (renewals, reminders), human-step deadlines and
 * Wait states (local/clock-timers.ts). Handlers keep real time.
 */

import * as z from 'zod/mini';
import { isOneOf, keysOf } from '#shared/core/guards.ts';
import { readJsonFile, writeJsonFile } from '../json-file.ts';

const clockFileSchema = z.looseObject({ offsetMs: z.number() });

/** Real time plus an offset that only grows; the offset is kept on disk. */
export class LocalClock {
  private offsetMs: number;

  constructor(private readonly file: string) {
    this.offsetMs = readJsonFile(file, clockFileSchema, { offsetMs: 0 }).offsetMs;
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  get offsetSeconds(): number {
    return Math.round(this.offsetMs / 1000);
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
    writeJsonFile(this.file, { offsetMs: this.offsetMs });
  }
}

/** `{ advanceDays?, advanceHours?, advanceSeconds? }` → milliseconds; throws a 400 on anything else. */
export function parseAdvance(body: string): number {
  let parsed: unknown;
  try {
    parsed = body.trim() ? JSON.parse(body) : {};
  } catch {
    throw httpError(400, 'Send JSON such as {"advanceDays": 365}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw httpError(400, 'Send JSON such as {"advanceDays": 365}');
  }
  const units = { advanceDays: 86_400_000, advanceHours: 3_600_000, advanceSeconds: 1000 } as const;
  let ms = 0;
  for (const [key, value] of Object.entries(parsed)) {
    const unit = isOneOf(keysOf(units), key) ? units[key] : undefined;
    if (unit === undefined)
      throw httpError(400, `Unknown field ${key}: use advanceDays, advanceHours or advanceSeconds`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw httpError(400, `${key} must be a non-negative number (the local clock only moves forward)`);
    }
    ms += value * unit;
  }
  return Math.round(ms);
}

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}
