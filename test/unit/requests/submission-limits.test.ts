/**
 * Issue 24: the form cannot be turned against the district. A requester's address must be on the
 * district's domains; each requester (and, without sign-in, each client address) submits at most so
 * many requests an hour, counted in the table with single conditional writes; a refusal changes
 * nothing. The counts run on dynalite, the local table, where the conditions really run.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TABLE_NAME } from '#local/config.ts';
import { ConfigError } from '#shared/core/errors.ts';
import {
  admitSubmission,
  readRequesterEmailDomains,
  readSubmissionLimits,
  requesterDomainError,
} from '#shared/requests/limits.ts';
import { parseResourceRequest, type ResourceRequest } from '#shared/workflow/index.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';
import { VALID_REQUEST } from '../../support/request-body.ts';

const clock = { now: new Date('2026-09-01T14:59:30.000Z') };
let table: DynaliteTable;
beforeAll(async () => {
  table = await startDynaliteTable(() => clock.now);
});
afterAll(() => table.stop());
beforeEach(() => {
  clock.now = new Date('2026-09-01T14:59:30.000Z');
});

function request(requesterEmail: string): ResourceRequest {
  const parsed = parseResourceRequest({ ...VALID_REQUEST, requesterEmail });
  if (!parsed.ok) throw new Error('the example request is valid');
  return parsed.value;
}

async function allowanceItems(): Promise<Record<string, unknown>[]> {
  const out = await table.client.send(new ScanCommand({ TableName: TABLE_NAME }));
  return (out.Items ?? []).filter((i) => String(i.PK).startsWith('ALLOWANCE#'));
}

describe("a requester's address is on the district's domains", () => {
  const domains = ['district.example', 'schools.example.org'];

  it('accepts the domains and their subdomains, in any case', () => {
    expect(requesterDomainError('ana@district.example', domains)).toBeUndefined();
    expect(requesterDomainError('Ana@Staff.District.Example', domains)).toBeUndefined();
    expect(requesterDomainError('b@schools.example.org', domains)).toBeUndefined();
  });

  it('refuses any other domain, naming the field and the domains to use', () => {
    for (const email of ['x@elsewhere.example', 'x@district.example.evil.test', 'x@notdistrict.example']) {
      expect(requesterDomainError(email, domains)).toEqual({
        field: 'requesterEmail',
        message: expect.stringContaining('@district.example, @schools.example.org'),
      });
    }
  });

  it('REQUESTER_EMAIL_DOMAINS is read once and must name domains', () => {
    expect(
      readRequesterEmailDomains({ REQUESTER_EMAIL_DOMAINS: ' District.Example , b.example.org' }),
    ).toEqual(['district.example', 'b.example.org']);
    expect(() => readRequesterEmailDomains({})).toThrow(/REQUESTER_EMAIL_DOMAINS/);
    expect(() => readRequesterEmailDomains({ REQUESTER_EMAIL_DOMAINS: 'district.example,@x' })).toThrow(
      ConfigError,
    );
  });

  it('SUBMISSION_LIMITS must be whole numbers from 1', () => {
    expect(
      readSubmissionLimits({ SUBMISSION_LIMITS: '{"perRequesterPerHour":3,"perAddressPerHour":9}' }),
    ).toEqual({ perRequesterPerHour: 3, perAddressPerHour: 9 });
    expect(() =>
      readSubmissionLimits({ SUBMISSION_LIMITS: '{"perRequesterPerHour":0,"perAddressPerHour":9}' }),
    ).toThrow(/SUBMISSION_LIMITS.perRequesterPerHour/);
    expect(() => readSubmissionLimits({ SUBMISSION_LIMITS: 'ten' })).toThrow(ConfigError);
  });
});

describe('hourly submission limits', () => {
  const limits = { perRequesterPerHour: 2, perAddressPerHour: 3 };

  it('a signed-in person submits their limit in an hour, then is told how long to wait', async () => {
    const who = { signedIn: 'Limited.Person@district.example' };
    const r = request('limited.person@district.example');
    expect(await admitSubmission(who, r, limits, table.store)).toEqual({ admitted: true });
    expect(await admitSubmission(who, r, limits, table.store)).toEqual({ admitted: true });
    // 30 seconds are left of the clock hour (14:59:30).
    expect(await admitSubmission(who, r, limits, table.store)).toEqual({
      admitted: false,
      retryAfterSeconds: 30,
    });

    clock.now = new Date('2026-09-01T15:00:01.000Z');
    expect(await admitSubmission(who, r, limits, table.store)).toEqual({ admitted: true });
  });

  it('concurrent submissions never pass the limit (one conditional write each)', async () => {
    const who = { signedIn: 'racer@district.example' };
    const r = request('racer@district.example');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => admitSubmission(who, r, limits, table.store)),
    );
    expect(answers.filter((a) => a.admitted)).toHaveLength(limits.perRequesterPerHour);
  });

  it('without sign-in, a client address is limited across requesters, and a refusal gives back what it took', async () => {
    const address = '203.0.113.9';
    const admitted = [];
    for (const n of [1, 2, 3]) {
      admitted.push(
        await admitSubmission({ address }, request(`teacher${n}@district.example`), limits, table.store),
      );
    }
    expect(admitted.every((a) => a.admitted)).toBe(true);
    const fourth = await admitSubmission(
      { address },
      request('teacher4@district.example'),
      limits,
      table.store,
    );
    expect(fourth).toMatchObject({ admitted: false });

    // One requester from several addresses: their own limit holds, and the address allowance the
    // refused attempt took is given back (another teacher at that address still gets in).
    const r = request('roaming@district.example');
    expect(await admitSubmission({ address: '198.51.100.1' }, r, limits, table.store)).toEqual({
      admitted: true,
    });
    expect(await admitSubmission({ address: '198.51.100.2' }, r, limits, table.store)).toEqual({
      admitted: true,
    });
    expect(await admitSubmission({ address: '198.51.100.3' }, r, limits, table.store)).toMatchObject({
      admitted: false,
    });
    // The address's whole allowance (3) is still there for others.
    for (const n of [1, 2, 3]) {
      const colleague = request(`colleague${n}@district.example`);
      expect(await admitSubmission({ address: '198.51.100.3' }, colleague, limits, table.store)).toEqual({
        admitted: true,
      });
    }
  });

  it('keeps no address or email in the table, and each count expires a day after its hour', async () => {
    const items = await allowanceItems();
    expect(items.length).toBeGreaterThan(0);
    const text = JSON.stringify(items);
    expect(text).not.toMatch(/@|203\.0\.113|198\.51\.100/);
    for (const item of items) {
      const windowEnd = Date.parse(String(item.SK)) + 3600_000;
      expect(item.expiresAtEpoch).toBe(windowEnd / 1000 + 86_400);
    }
  });
});
