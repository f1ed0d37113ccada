/**
 * Issue 22: SES sending respects the account's send rate across every sender. The per-second counters
 * on a real DynamoDB engine (dynalite): concurrent senders never count more than the rate in a second.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAME } from '#local/config.ts';
import { TransientError } from '#shared/core/errors.ts';
import { sharedSendRate } from '#shared/core/mail/send-rate.ts';
import { sesRateKey } from '#shared/core/store/keys.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

let table: DynaliteTable;
beforeAll(async () => {
  table = await startDynaliteTable();
});
afterAll(() => table.stop());

const sentIn = async (second: number) =>
  (await table.client.send(new GetCommand({ TableName: TABLE_NAME, Key: sesRateKey(second) }))).Item?.sent;

/** A clock that moves only when a sender sleeps. */
function fakeTime(start: number) {
  let now = start;
  return {
    now: () => now,
    // Senders that sleep at the same moment wake at the same moment.
    sleep: async (ms: number) => {
      const wake = now + ms;
      await Promise.resolve();
      now = Math.max(now, wake);
    },
  };
}

describe('the shared SES send rate', () => {
  it('counts at most the rate in a second; the others wait for the next second', async () => {
    const start = 1_900_000_000_000;
    const time = fakeTime(start);
    const limiter = sharedSendRate(table.store, { rate: 3, ...time, random: () => 0 });

    await Promise.all(Array.from({ length: 7 }, () => limiter.take()));

    const second = start / 1000;
    const counted = await Promise.all([0, 1, 2, 3, 4].map((s) => sentIn(second + s)));
    expect(counted.every((n) => n === undefined || n <= 3)).toBe(true);
    expect(counted.reduce((sum: number, n) => sum + (n ?? 0), 0)).toBe(7);
    expect(counted[0]).toBe(3);
  });

  it('counts recipients, as SES does: emails to 2 addresses at a rate of 3 go one a second', async () => {
    const start = 1_900_000_050_000;
    const time = fakeTime(start);
    const limiter = sharedSendRate(table.store, { rate: 3, ...time, random: () => 0 });

    await Promise.all(Array.from({ length: 3 }, () => limiter.take(2)));

    const second = start / 1000;
    expect(await Promise.all([0, 1, 2, 3].map((s) => sentIn(second + s)))).toEqual([2, 2, 2, undefined]);
  });

  it('one email to more recipients than the rate goes alone in an empty second, never beside others', async () => {
    const start = 1_900_000_070_000;
    const time = fakeTime(start);
    const limiter = sharedSendRate(table.store, { rate: 3, ...time, random: () => 0 });

    await limiter.take(1);
    await limiter.take(5);

    const second = start / 1000;
    expect(await Promise.all([0, 1].map((s) => sentIn(second + s)))).toEqual([1, 5]);
  });

  it('gives up with a TransientError (retried by the caller) when the rate stays reached', async () => {
    const time = fakeTime(1_900_000_100_000);
    const limiter = sharedSendRate(
      { countSesSend: async () => false },
      { rate: 1, ...time, maxWaitMs: 3000 },
    );

    await expect(limiter.take()).rejects.toBeInstanceOf(TransientError);
  });
});
