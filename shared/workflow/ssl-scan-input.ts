/**
 * check-ssl's input (SOP 5, and the SOP 17 re-test), parsed by workflowStep: the websites to test, then
 * the scan's state as each call hands it to the next. Apart from the other steps' inputs
 * (step-inputs.ts) so that check-ssl does not bundle theirs.
 */
import * as z from 'zod/mini';
import { lenientObject, requiredText } from './fields.ts';
import { MAX_WEBSITES, websiteHost } from './websites.ts';

const NOT_A_WEBSITE = 'must be a full http(s) address or host name, e.g. https://example.com';
const NOT_A_TIME = 'must be an ISO 8601 timestamp';
const NOT_A_COUNT = 'must be a non-negative integer';

const count = z.int({ error: NOT_A_COUNT }).check(z.gte(0, NOT_A_COUNT));
/** A website as its host name (a full http(s) address or a bare name is accepted). */
const hostName = z.pipe(
  requiredText('is required (the website to test)'),
  z.pipe(z.transform(websiteHost), z.string().check(z.minLength(1, NOT_A_WEBSITE))),
);

const sslEndpointGradeSchema = z.object({
  ipAddress: z.string(),
  grade: z.optional(z.string()),
  statusMessage: z.optional(z.string()),
  /** The host the endpoint serves (several websites per request). */
  host: z.optional(z.string()),
});
export type SslEndpointGrade = z.output<typeof sslEndpointGradeSchema>;

/** One host of a scan: how far its assessment is, and its verdict once it has one. */
const hostProgress = {
  host: hostName,
  /** Calls SSL Labs answered for the current assessment of this host (0: start it next). */
  polls: count,
  /** Assessments restarted automatically after SSL Labs ended one in ERROR. */
  errorRetries: count,
  finished: z.boolean(),
  passed: z.boolean(),
  /** The worst grade of the host's endpoints, when every endpoint was graded. */
  grade: z.optional(z.string()),
  reason: z.string(),
  /** Seconds this host asks to wait before its next poll (the scan waits the shortest). */
  nextPollSeconds: z.optional(z.number()),
};

/** A host's progress in the state; a finished host also carries its endpoints until the scan ends. */
const sslHostStateSchema = z.object({
  ...hostProgress,
  endpoints: z.optional(z.array(sslEndpointGradeSchema)),
});
export type SslHostState = z.output<typeof sslHostStateSchema>;
/** A host's progress as check-ssl returns it. */
export type SslHostProgress = Omit<SslHostState, 'endpoints'>;

const checkSslFields = lenientObject({
  requestId: requiredText('is required'),
  /** The host names (or http(s) addresses) to test; every distinct host is tested. */
  websites: z.optional(
    z
      .array(hostName)
      .check(
        z.minLength(1, 'must name at least one website'),
        z.maxLength(MAX_WEBSITES, `must name at most ${MAX_WEBSITES} websites`),
      ),
  ),
  /** One website (the older single-host form; `websites` wins when both are given). */
  url: z.optional(hostName),
  /** Each host's progress, as the previous call returned it (absent on the first call). */
  hosts: z.optional(
    z.nullable(z.array(sslHostStateSchema).check(z.maxLength(MAX_WEBSITES, 'too many hosts'))),
  ),
  /** Absent on the first call: the scan is started (startNew=on). */
  startedAt: z.optional(
    z.nullable(
      z.pipe(
        z.string({ error: NOT_A_TIME }),
        z.pipe(
          z.transform((t: string) => new Date(t)),
          z.date({ error: NOT_A_TIME }),
        ),
      ),
    ),
  ),
  polls: z.optional(z.nullable(count)),
  /**
   * The scan waits for SSL Labs slots (issue 22): the waits so far and when the first try was, as the
   * previous call returned them. Absent until a try finds no slot.
   */
  slotWait: z.optional(
    z.nullable(
      z.object({
        waits: count,
        queuedAt: z.pipe(
          z.string({ error: NOT_A_TIME }),
          z.pipe(
            z.transform((t: string) => new Date(t)),
            z.date({ error: NOT_A_TIME }),
          ),
        ),
      }),
    ),
  ),
});

/**
 * check-ssl: the websites to test on the first call; on later calls, the scan's start, its poll count
 * and each host's progress as the previous call returned them. At least one website is needed; this is
 * checked once every field is valid, so that a bad payload is told only what is wrong with it.
 */
export const checkSslInputSchema = z.pipe(
  checkSslFields,
  z.transform((input: z.output<typeof checkSslFields>, payload) => {
    if ((input.hosts?.length ?? 0) === 0 && input.websites === undefined && input.url === undefined) {
      payload.issues.push({
        code: 'custom',
        path: ['websites'],
        message: 'websites is required (the websites to test)',
        input,
      });
    }
    return input;
  }),
);
/** What the state machine sends check-ssl (times as ISO strings). */
export type CheckSslInput = z.input<typeof checkSslInputSchema>;
/** What check-ssl's scan receives: host names, the start as a Date. */
export type CheckSslRequest = z.output<typeof checkSslInputSchema>;
