/**
 * Issue 22: one limit on SSL Labs across all executions. The slot pool on a real DynamoDB engine
 * (dynalite): its conditional writes are what keep concurrent scans at or under the maximum.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sslSlotsIn } from '#shared/vetting/ssl/slot-store.ts';
import {
  DEFAULT_SLOT_MAX,
  MAX_SLOT_WAITS,
  SLOT_WAIT,
  type SslSlots,
  slotHolder,
  slotWaitBounds,
  slotWaitSeconds,
} from '#shared/vetting/ssl/slots.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const T0 = Date.parse('2027-08-20T09:00:00.000Z');
let now = T0;
let table: DynaliteTable;
let slots: SslSlots;

beforeAll(async () => {
  table = await startDynaliteTable(() => new Date(now));
  slots = sslSlotsIn(table.store);
});
afterAll(() => table.stop());

/** Frees every slot and sets the maximum, as a test's starting point. */
async function emptyPool(max: number): Promise<void> {
  const pool = await table.store.readSslSlotPool();
  await slots.release(Object.keys(pool.holders));
  await slots.learnMax(max);
  now = T0;
}

const lease = (seconds: number) => now + seconds * 1000;

describe('the SSL Labs slot pool', () => {
  it('starts at the default maximum until SSL Labs announces its own', async () => {
    expect(await table.store.readSslSlotPool()).toMatchObject({ max: DEFAULT_SLOT_MAX, inFlight: 0 });
    await slots.learnMax(25);
    expect((await table.store.readSslSlotPool()).max).toBe(25);
  });

  it('concurrent acquirers never exceed the maximum', async () => {
    await emptyPool(5);

    const grants = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        slots.acquire([slotHolder(`SR-${i}`, 'app.example.com')], lease(600)),
      ),
    );

    expect(grants.filter((g) => g.granted)).toHaveLength(5);
    const pool = await table.store.readSslSlotPool();
    expect(pool.inFlight).toBe(5);
    expect(Object.keys(pool.holders)).toHaveLength(5);
  });

  it('a slot given back goes to the next acquirer, one each', async () => {
    await emptyPool(2);
    await slots.acquire(['SR-1 a.example.com'], lease(600));
    await slots.acquire(['SR-2 b.example.com'], lease(600));

    await slots.release(['SR-1 a.example.com']);
    const next = await Promise.all(
      ['SR-3 c.example.com', 'SR-4 d.example.com'].map((h) => slots.acquire([h], lease(600))),
    );

    expect(next.map((g) => g.granted).sort()).toEqual([false, true]);
    expect((await table.store.readSslSlotPool()).inFlight).toBe(2);
  });

  it('takes every host of a scan or none of them', async () => {
    await emptyPool(3);
    await slots.acquire(['SR-1 a.example.com', 'SR-1 b.example.com'], lease(600));

    const refused = await slots.acquire(['SR-2 c.example.com', 'SR-2 d.example.com'], lease(600));

    expect(refused).toEqual({ granted: false, inFlight: 2, max: 3 });
    expect(Object.keys((await table.store.readSslSlotPool()).holders).sort()).toEqual([
      'SR-1 a.example.com',
      'SR-1 b.example.com',
    ]);
  });

  it('a holder that asks again (a retried call) takes nothing twice', async () => {
    await emptyPool(2);
    await slots.acquire(['SR-1 a.example.com'], lease(600));

    const again = await slots.acquire(['SR-1 a.example.com'], lease(900));

    expect(again.granted).toBe(true);
    const pool = await table.store.readSslSlotPool();
    expect(pool.inFlight).toBe(1);
    expect(pool.holders['SR-1 a.example.com']).toBe(lease(900));
  });

  it('release is idempotent: a second release frees nothing more', async () => {
    await emptyPool(2);
    await slots.acquire(['SR-1 a.example.com'], lease(600));
    await slots.acquire(['SR-2 b.example.com'], lease(600));

    await slots.release(['SR-1 a.example.com']);
    await slots.release(['SR-1 a.example.com']);
    await slots.release(['SR-9 never-held.example.com']);

    const pool = await table.store.readSslSlotPool();
    expect(pool.inFlight).toBe(1);
    expect(Object.keys(pool.holders)).toEqual(['SR-2 b.example.com']);
  });

  it('a lease that passed frees its slot for the next acquirer (a crashed execution holds nothing for ever)', async () => {
    await emptyPool(1);
    await slots.acquire(['SR-crashed a.example.com'], lease(60));
    expect((await slots.acquire(['SR-2 b.example.com'], lease(600))).granted).toBe(false);

    now += 61_000;
    const after = await slots.acquire(['SR-2 b.example.com'], lease(600));

    expect(after.granted).toBe(true);
    // The crashed execution's late calls change nothing: its renewal and release find no slot of its own.
    await slots.renew(['SR-crashed a.example.com'], lease(600));
    await slots.release(['SR-crashed a.example.com']);
    const pool = await table.store.readSslSlotPool();
    expect(pool).toMatchObject({ inFlight: 1, holders: { 'SR-2 b.example.com': lease(600) } });
  });

  it('a renewed lease keeps the slot past its first lease time', async () => {
    await emptyPool(1);
    await slots.acquire(['SR-1 a.example.com'], lease(60));
    await slots.renew(['SR-1 a.example.com'], lease(600));

    now += 61_000;

    expect((await slots.acquire(['SR-2 b.example.com'], lease(600))).granted).toBe(false);
  });

  it('force takes a slot over the maximum and counts it (the wait cap was reached)', async () => {
    await emptyPool(1);
    await slots.acquire(['SR-1 a.example.com'], lease(600));

    const forced = await slots.acquire(['SR-2 b.example.com'], lease(600), { force: true });

    expect(forced.granted).toBe(true);
    expect((await table.store.readSslSlotPool()).inFlight).toBe(2);
  });
});

describe('the wait for a slot', () => {
  it('grows from the first wait to the cap, with up to as much jitter again', () => {
    expect(slotWaitSeconds(0, () => 0)).toBe(SLOT_WAIT.firstSeconds);
    expect(slotWaitSeconds(0, () => 0.999)).toBe(2 * SLOT_WAIT.firstSeconds - 1);
    expect(slotWaitSeconds(3, () => 0)).toBeGreaterThan(slotWaitSeconds(2, () => 0));
    expect(slotWaitSeconds(MAX_SLOT_WAITS, () => 0)).toBe(SLOT_WAIT.maxSeconds);
  });

  it('all the waits together last hours (a wave of renewals fits), not days', () => {
    const { minSeconds, maxSeconds } = slotWaitBounds();
    expect(minSeconds).toBeGreaterThan(4 * 3600);
    expect(maxSeconds).toBeLessThan(12 * 3600);
  });
});
