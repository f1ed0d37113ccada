/** The largest state a request can carry: the longest path run on the local engine with maximal inputs. */

import { type JsonValue, loadDefinition } from '#local/asl-definition.ts';
import type { TaskTokens } from '#local/asl-runner.ts';
import { fieldOf, isRecord } from '#shared/core/guards.ts';
import { REASON_MAX_CHARACTERS } from '#shared/vetting/current-vetting.ts';
import { MAX_STATUS_MESSAGE } from '#shared/vetting/ssl/grading.ts';
import { MAX_ENDPOINTS_IN_STATE } from '#shared/vetting/ssl/scan.ts';
import { MAX_WEBSITES } from '#shared/workflow/websites.ts';
import { configuredDeadlineDays, loadMachine, machineFile, replacementCap } from './asl.ts';

/**
 * Upper bounds of what a state can carry, by the schemas' limits (shared/workflow/request-schema.ts,
 * decisions.ts), every character counted at 4 bytes (UTF-8's most):
 * free text 2,000 characters, names 200, URLs 2,048, an email 254, and at most 64 SSL endpoints
 * (check-ssl's output keeps no more over all websites; the full list is in the request record), each
 * status message cut to 80 characters, at most 10 websites of 253 characters.
 */
const BOUNDS = {
  text: 2000,
  name: 200,
  url: 2048,
  email: 254,
  endpoints: MAX_ENDPOINTS_IN_STATE,
  websites: MAX_WEBSITES,
  /** A DNS name; check-ssl cuts a host's reason to 200 characters and the scan's to 900. */
  host: 253,
  hostReason: 200,
  scanReason: 900,
} as const;
const maximalHosts = () =>
  Array.from({ length: BOUNDS.websites }, (_, i) => `${String(i)}${'h'.repeat(BOUNDS.host - 1)}`);
const widest = (chars: number) => '\u{10FFFF}'.repeat(chars);

function maximalResource(): { [key: string]: JsonValue } {
  return {
    name: widest(BOUNDS.name),
    url: `https://${'a'.repeat(BOUNDS.url - 12)}.org/`,
    usesWebsite: true,
    kind: 'software',
    vendorName: widest(BOUNDS.name),
    cost: 999_999_999,
    studentDataShared: true,
  };
}

/** A human step's answer with every field at its bound (and a few more fields than any kind has). */
function maximalAnswer(kind: string, round: number, rounds: number): Record<string, unknown> {
  const decision: Record<string, string> = {
    'privacy-review': 'acceptable',
    'dpa-signature': 'signed',
    'curriculum-review': 'approve',
    'administrative-review': 'approve',
    'technical-review': round < rounds - 1 ? 'not-sound' : 'sound',
    replacement: 'replacement-found',
    procurement: 'po-issued',
    license: 'license-stored',
    installation: 'installed',
  };
  return {
    decision: decision[kind] ?? (kind === 'ssl-remediation' ? 'retest' : 'approve'),
    comment: widest(BOUNDS.text),
    decidedBy: widest(BOUNDS.email),
    decidedAt: '2026-11-30T00:00:00.000Z',
    studentDataRequired: true,
    vendorContactEmail: 'v'.repeat(BOUNDS.email),
    extra: Array.from({ length: 6 }, () => widest(BOUNDS.name)),
    ...(kind === 'replacement' ? { resource: maximalResource() } : {}),
    ...(kind === 'privacy-review' ? { websites: maximalHosts() } : {}),
    ...(kind === 'procurement'
      ? { poNumber: widest(BOUNDS.name), amount: 999_999_999, quoteReference: widest(BOUNDS.name) }
      : {}),
    ...(kind === 'license'
      ? { licenseReference: widest(BOUNDS.name), seats: 999_999, expiresOn: '2099-12-31' }
      : {}),
    ...(kind === 'dpa-signature' ? { dpaExpiresOn: '2099-12-31' } : {}),
  };
}

/**
 * Each workflow function's largest result, as the longest path meets them: every review answered
 * with its largest decision, each round's first SSL scan failing (so the state also carries a
 * remediation) and its re-test passing, no current vetting to reuse.
 */
function maximalResults(tokens: Pick<TaskTokens, 'succeed'>, rounds: number) {
  let technicalRounds = 0;
  let sslScans = 0;
  const endpoints = Array.from({ length: BOUNDS.endpoints }, (_, i) => ({
    ipAddress: `2001:db8::${i.toString(16)}`,
    grade: 'A+',
    statusMessage: widest(MAX_STATUS_MESSAGE),
  }));
  return async (fn: string, payload: unknown): Promise<unknown> => {
    const p = isRecord(payload) ? payload : {};
    if (fn === 'AssignTaskFunctionArn') {
      const kind = String(p.kind);
      const answer = maximalAnswer(kind, technicalRounds, rounds);
      if (kind === 'technical-review') technicalRounds++;
      queueMicrotask(() => tokens.succeed(String(p.taskToken), JSON.stringify(answer)));
      return {};
    }
    if (fn === 'CheckSslFunctionArn') {
      // Each round's first scan fails, so the state also carries a remediation; the re-test passes.
      sslScans++;
      const passed = sslScans % 2 === 0;
      return {
        finished: true,
        passed,
        grade: passed ? 'A+' : 'B',
        endpoints,
        reason: widest(BOUNDS.scanReason),
        nextPollSeconds: 0,
        startedAt: '2026-11-30T00:00:00.000Z',
        polls: 99,
        hosts: maximalHosts().map((host) => ({
          host,
          polls: 99,
          errorRetries: 2,
          finished: true,
          passed,
          grade: passed ? 'A+' : 'B',
          reason: widest(BOUNDS.hostReason),
        })),
      };
    }
    if (fn === 'NotifyVendorSslFunctionArn') {
      return {
        notifiedAt: '2026-11-30T00:00:00.000Z',
        open: true,
        retests: 4,
        waitSeconds: 1,
        windowEndsAt: '2026-12-30T00:00:00.000Z',
        // notify-vendor-ssl cuts both at 1,000 characters (the reason is empty while remediation is open).
        reason: widest(1000),
        timeoutReason: widest(1000),
      };
    }
    // The longest path is vetted every round: no current vetting covers it.
    if (fn === 'CheckCurrentVettingFunctionArn')
      return { reused: false, reason: widest(REASON_MAX_CHARACTERS) };
    if (fn === 'SendDpaFunctionArn')
      return { sentTo: 'v'.repeat(BOUNDS.email), sentAt: '2026-11-30T00:00:00.000Z' };
    if (fn === 'ScheduleRenewalFunctionArn')
      return { scheduled: true, renewalDueOn: '2027-11-30', reason: widest(BOUNDS.text) };
    if (fn === 'PublishStatusFunctionArn') return { resourceId: widest(BOUNDS.name), status: p.status };
    return {};
  };
}

/**
 * Runs the request machine on the local engine through its longest path (every round, every human
 * step) with maximal answers, and returns the largest state input or output it saw, in bytes.
 */
export async function largestStateBytes(): Promise<number> {
  const { LocalStateMachine, TaskTokens } = await import('#local/asl-runner.ts');
  const deadlines = configuredDeadlineDays();
  const rounds = (replacementCap(loadMachine('softwareRequest', deadlines)) ?? 0) + 1;
  const tokens = new TaskTokens();
  const machine = new LocalStateMachine(
    loadDefinition(machineFile('softwareRequest'), deadlines),
    maximalResults(tokens, rounds),
    tokens,
  );
  const run = machine.start(
    {
      requestId: 'SR-20261130-ZZZZZZZZ',
      requestType: 'instructional',
      resource: maximalResource(),
      replacementCount: 0,
      questions: { asked: 0 },
      rerouted: false,
    },
    {
      name: 'limits',
      executionArn: 'arn:aws:states:us-east-1:0:execution:x:limits',
      stateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:x',
    },
  );
  const output = await run.result;
  await run.settled;
  if (fieldOf(output, 'outcome') !== 'APPROVED') {
    throw new Error(`The longest path should end APPROVED, got ${JSON.stringify(output).slice(0, 200)}`);
  }
  const sizes = run.events.flatMap((e) => [e.input, e.output].filter((v) => v !== undefined));
  return Math.max(...sizes.map((v) => Buffer.byteLength(JSON.stringify(v))));
}
