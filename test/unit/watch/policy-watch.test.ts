/**
 * Issue 22 item 1, the watch's rules with its stores and fetcher replaced: an unchanged or cosmetic
 * page opens nothing; a material change is audited once with its difference and starts one execution
 * named by the change; a page down three times running opens one task, not one a week.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord, VendorPageResult } from '#shared/evidence/index.ts';
import { type PolicyWatchDeps, watchPolicies } from '#shared/watch/policy-watch.ts';
import type { PolicyWatchState } from '#shared/watch/store.ts';
import type { AuditEvent, RegistryEntry } from '#shared/workflow/index.ts';

const REQUEST = 'SR-20261205-ABCDEFGH';
const URL_ = 'https://vendor.example/privacy';
const REVIEWED = 'Privacy\nLast updated: December 1, 2026\nWe never sell student data.';

const entry: RegistryEntry = {
  resourceId: 'vendor#tide',
  resourceName: 'Tide',
  vendorName: 'Vendor',
  status: 'APPROVED',
  statusDate: '2026-12-01T00:00:00.000Z',
  source: 'workflow',
  requestId: REQUEST,
};
const snapshot: EvidenceRecord = {
  requestId: REQUEST,
  documentId: `${REQUEST}.aaaaaaaaaaaaaaaaaaaaaa`,
  kind: 'privacy-policy',
  sha256: 'old',
  capturedAt: '2026-12-01T00:00:00.000Z',
  bytes: REVIEWED.length,
  contentType: 'text/plain; charset=utf-8',
  key: `documents/${REQUEST}/policy-old.txt`,
  by: { name: 'workflow', email: null, via: 'workflow' },
  url: URL_,
};

function world(pages: VendorPageResult[]) {
  const audit: AuditEvent[] = [];
  const started = new Set<string>();
  const starts: { name: string; input: unknown }[] = [];
  const states = new Map<string, PolicyWatchState>();
  const documents = new Map<string, Uint8Array>([[snapshot.key, Buffer.from(REVIEWED)]]);
  const sfn = new SFNClient({});
  mockClient(sfn)
    .on(StartExecutionCommand)
    .callsFake(async ({ name, input }: { name?: string; input?: string }) => {
      if (!name || started.has(name)) {
        throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
      }
      started.add(name);
      starts.push({ name, input: JSON.parse(input ?? '{}') });
      return {};
    });
  const deps: PolicyWatchDeps = {
    registry: {
      store: {
        registrySearchPage: async () => ({
          hits: [
            {
              resourceId: entry.resourceId,
              statusDate: entry.statusDate,
              words: 'tide vendor',
              sortKey: 'tide',
            },
          ],
          more: false,
        }),
        getRegistryEntries: async () => [entry],
      },
    },
    store: {
      listEvidence: async () => [snapshot],
      getPolicyWatch: async (_r, url) => states.get(url),
      putPolicyWatch: async (state) => void states.set(state.url, state),
      appendAudit: async (event) =>
        void audit.push({ at: '2026-12-08T00:00:00.000Z', ...event } as AuditEvent),
      listAudit: async () => audit,
    },
    documents: {
      read: async (key) => {
        const bytes = documents.get(key);
        return bytes ? { bytes, contentType: 'text/plain' } : undefined;
      },
      put: async (key, bytes) => void documents.set(key, bytes),
    },
    fetcher: { fetch: async () => pages.shift() ?? failure },
    watch: { sfn, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:resource-watch' },
    now: () => new Date('2026-12-08T00:00:00.000Z'),
  };
  return { deps, audit, starts, documents, states };
}

const page = (text: string, sha256: string): VendorPageResult => ({
  ok: true,
  url: URL_,
  finalUrl: URL_,
  fetchedAt: '2026-12-08T00:00:00.000Z',
  status: 200,
  contentType: 'text/html',
  text,
  sha256,
  bytes: text.length,
});
const failure: VendorPageResult = {
  ok: false,
  url: URL_,
  fetchedAt: '2026-12-08T00:00:00.000Z',
  code: 'http-error',
  message: 'The page answered 503',
};

describe('watchPolicies', () => {
  it('opens nothing for the same text or a new date only', async () => {
    const { deps, audit, starts } = world([
      page(REVIEWED, 'old'),
      page(REVIEWED.replace('December 1, 2026', '2026-12-08'), 'new'),
    ]);
    expect(await watchPolicies(deps)).toMatchObject({ unchanged: 1, tasksOpened: 0 });
    expect(await watchPolicies(deps)).toMatchObject({ unchanged: 1, tasksOpened: 0 });
    expect(audit).toEqual([]);
    expect(starts).toEqual([]);
  });

  it('a material change: the new text kept, the difference audited once, one execution per change', async () => {
    const changed = `${REVIEWED.replace('never sell', 'may sell')}`;
    const { deps, audit, starts, documents } = world([
      page(changed, 'b'.repeat(64)),
      page(changed, 'b'.repeat(64)),
    ]);

    expect(await watchPolicies(deps)).toMatchObject({ changed: 1, tasksOpened: 1 });
    expect(await watchPolicies(deps)).toMatchObject({ changed: 1, tasksOpened: 0 });

    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      type: 'POLICY_CHANGED',
      requestId: REQUEST,
      detail: { url: URL_, added: ['We may sell student data.'], removed: ['We never sell student data.'] },
    });
    expect(starts).toHaveLength(1);
    const [start] = starts;
    expect(start?.name).toMatch(new RegExp(`^policy-change-${REQUEST}-[\\w-]{22}$`));
    expect(start?.input).toMatchObject({ requestId: REQUEST, check: 'policy-change', change: { url: URL_ } });
    const key = `documents/${REQUEST}/`;
    const kept = [...documents].filter(([k]) => k.startsWith(key) && k !== snapshot.key);
    expect(kept.map(([, bytes]) => Buffer.from(bytes).toString())).toEqual([changed]);
  });

  it('a page down three times running opens one task with the error, not one a week', async () => {
    const { deps, audit, starts, states } = world([]);
    for (let week = 1; week <= 5; week++) await watchPolicies(deps);
    expect(starts).toHaveLength(1);
    expect(starts[0]?.input).toMatchObject({ change: { url: URL_, unreachable: true } });
    expect(audit).toEqual([
      expect.objectContaining({
        type: 'POLICY_UNREACHABLE',
        detail: expect.objectContaining({ error: 'The page answered 503', failures: 3 }),
      }),
    ]);
    expect(states.get(URL_)?.failures).toBe(5);
  });

  it('a page that answers again starts the count anew', async () => {
    const { deps, starts, states } = world([failure, failure, page(REVIEWED, 'old'), failure, failure]);
    for (let week = 1; week <= 5; week++) await watchPolicies(deps);
    expect(states.get(URL_)?.failures).toBe(2);
    expect(starts).toEqual([]);
  });
});
