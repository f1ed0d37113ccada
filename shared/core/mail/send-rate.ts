/**
 * SES sends at most the account's send rate (14 emails a second by default in production, 1 in the
 * sandbox) and throttles beyond it; like the daily quota, it counts recipients (To and Cc), not messages. Like SSL Labs' limit (shared/vetting/ssl/slots.ts), the rate is
 * shared by every Lambda that mails, so it is counted in the table: one counter per second
 * (shared/core/store/send-rate.ts), taken with a conditional write. A sender that finds the second
 * full waits for the next one, with jitter; the SesMailer takes a turn before each email when it is
 * given a limiter.
 */
import { TransientError } from '../errors.ts';

/** SES's default production send rate (emails per second). */
export const DEFAULT_SES_MAX_SEND_RATE = 14;
/** The highest send rate cdk.json accepts (an account with more asks AWS, and this bound is raised). */
export const MAX_SES_MAX_SEND_RATE = 500;

export interface SendRateLimiter {
  /**
   * Resolves when an email to `recipients` addresses may go; TransientError after `maxWaitMs` (the
   * caller's retry takes over).
   */
  take(recipients?: number): Promise<void>;
}

/**
 * Counts `recipients` in second `second` if they fit under `rate` there (or the second is still empty:
 * SES lets one message to more recipients than its rate through, then holds the next); false when not.
 */
export interface SendRateWindow {
  countSesSend(second: number, rate: number, recipients: number): Promise<boolean>;
}

export interface SharedSendRateOptions {
  /** Emails per second for the whole account (sesMaxSendRate). */
  rate: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Give up after this long (default 10 s: well inside every mailing function's timeout). */
  maxWaitMs?: number;
}

/** Jitter added to a wait for the next second, so the waiters do not all come back at its first ms. */
const JITTER_MS = 200;

export function sharedSendRate(window: SendRateWindow, options: SharedSendRateOptions): SendRateLimiter {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  return {
    async take(recipients = 1) {
      const started = now();
      for (;;) {
        const at = now();
        const second = Math.floor(at / 1000);
        if (await window.countSesSend(second, options.rate, recipients)) return;
        if (at - started >= maxWaitMs) {
          throw new TransientError(
            `SES send rate of ${options.rate} a second still reached after ${maxWaitMs} ms`,
          );
        }
        await sleep((second + 1) * 1000 - at + Math.floor(random() * JITTER_MS));
      }
    },
  };
}
