/**
 * The auditors' executions pages (local/pages/executions.ts): the list with status filter, and one
 * execution with its status, input/output, failure cause, history and the diagram of the path taken.
 * Hostile values (a `<script>` in a request's input) are shown as text, never run.
 */
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '#local/asl-definition.ts';
import {
  type ExecutionDetailView,
  type ExecutionSummaryView,
  executionViewRoutes,
  formatDate,
  prettyJson,
  renderExecutionPage,
  renderExecutionsList,
} from '#local/pages/executions.ts';
import { createFlow, decision, requestInput } from '../../workflow/harness.ts';

const SOFTWARE_REQUEST = loadDefinition('statemachine/software-request.asl.json');
const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:software-request';

const EXECUTIONS: ExecutionSummaryView[] = [
  {
    name: 'SR-20261128-AAAA0001',
    stateMachine: ARN,
    status: 'SUCCEEDED',
    startDate: '2026-11-28T10:00:00.000Z',
    stopDate: '2026-11-28T10:05:00.000Z',
  },
  {
    name: 'SR-20261128-BBBB0002',
    stateMachine: ARN,
    status: 'RUNNING',
    startDate: Date.UTC(2026, 10, 28, 11),
  },
  {
    name: 'SR-20261128-CCCC0003',
    stateMachine: 'annual-renewal',
    status: 'FAILED',
    startDate: '2026-11-28T09:00:00.000Z',
    stopDate: '2026-11-28T09:00:02.000Z',
  },
];

function rowsOf(page: string): string[] {
  return [...page.matchAll(/<tr>\s*<td><a href="\/executions\/([^"]+)">/g)].map((m) =>
    decodeURIComponent(m[1]!),
  );
}

describe('the executions list', () => {
  it('lists every execution newest first, linking to its execution page and its request status', () => {
    const page = renderExecutionsList(EXECUTIONS);

    expect(rowsOf(page)).toEqual(['SR-20261128-BBBB0002', 'SR-20261128-AAAA0001', 'SR-20261128-CCCC0003']);
    expect(page).toContain('<a href="/executions/SR-20261128-AAAA0001">SR-20261128-AAAA0001</a>');
    expect(page).toContain('<a class="hint" href="/requests/SR-20261128-AAAA0001">request status</a>');
    expect(page).toContain('<td>software-request</td>');
    expect(page).toContain('<td>annual-renewal</td>');
    expect(page).toContain('<span class="badge FAILED">Failed</span>');
    expect(page).toContain('<time datetime="2026-11-28T10:05:00.000Z">2026-11-28 10:05:00 UTC</time>');
    expect(page).toContain('3 executions.');
  });

  it('filters by status from the query string, and says how many are shown', () => {
    const page = renderExecutionsList(EXECUTIONS, { status: 'failed' });

    expect(rowsOf(page)).toEqual(['SR-20261128-CCCC0003']);
    expect(page).toContain('<option value="FAILED" selected>Failed</option>');
    expect(page).toContain('1 of 3 executions with status Failed.');
  });

  it('shows everything for an unknown status filter, and a clear message when nothing matches', () => {
    expect(rowsOf(renderExecutionsList(EXECUTIONS, { status: '"><script>' }))).toHaveLength(3);
    const none = renderExecutionsList(EXECUTIONS, { status: 'ABORTED' });
    expect(rowsOf(none)).toEqual([]);
    expect(none).toContain('No executions with status Aborted yet.');
  });

  it('escapes execution names in text and in links', () => {
    const page = renderExecutionsList([{ ...EXECUTIONS[0]!, name: '<script>alert(1)</script>' }]);

    expect(page).not.toContain('<script>');
    expect(page).toContain('href="/executions/%3Cscript%3Ealert(1)%3C%2Fscript%3E"');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

function execution(overrides: Partial<ExecutionDetailView> = {}): ExecutionDetailView {
  return {
    name: 'SR-20261128-AAAA0001',
    stateMachine: ARN,
    status: 'SUCCEEDED',
    startDate: '2026-11-28T10:00:00.000Z',
    stopDate: '2026-11-28T10:05:00.000Z',
    input: { requestId: 'SR-20261128-AAAA0001' },
    output: { outcome: 'APPROVED' },
    events: [],
    ...overrides,
  };
}

describe('one execution', () => {
  it('SOP 3-16 approved: the real history of a run gives the status, output, history table and highlighted path', async () => {
    // Prepare: run the approval path on the local engine to get a genuine event history.
    const flow = createFlow();
    flow.start(requestInput({ requestId: 'SR-20261128-AAAA0001' }));
    await flow.decide(
      'privacy-review',
      decision('acceptable', { studentDataRequired: false, vendorContactEmail: 'v@x.example' }),
    );
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output, events } = await flow.finish();

    // Act
    const page = renderExecutionPage(execution({ output, events }), SOFTWARE_REQUEST);

    // Assess
    expect(page).toContain('<h1>Execution SR-20261128-AAAA0001</h1>');
    expect(page).toContain('<span class="badge SUCCEEDED">Succeeded</span>');
    expect(page).toContain('&quot;outcome&quot;: &quot;APPROVED&quot;');
    expect(page).toContain(`Event history (${events.length} events)`);
    expect(page.match(/<tr>\s*<td>\d+<\/td>/g)).toHaveLength(events.length);
    expect(page).toMatch(/<td>StateEntered<\/td><td>CurriculumReview<\/td>/);
    const taken = [...page.matchAll(/data-state="(\w+)" data-taken="true"/g)].map((m) => m[1]);
    expect(taken.sort()).toEqual([...new Set(flow.statesEntered())].sort());
    expect(page).toContain('role="img"');
    expect(page).toContain('<a href="/requests/SR-20261128-AAAA0001">SR-20261128-AAAA0001</a>');
    expect(page).not.toContain('<script');
  });

  it('shows a hostile input as text: a <script> in the resource name never reaches the page as markup', () => {
    const hostile = '<script>alert("pwned")</script>';

    const page = renderExecutionPage(
      execution({
        input: { requestId: 'SR-1', resource: { name: hostile } },
        events: [{ type: 'ExecutionStarted', timestamp: 1, input: { resource: { name: hostile } } }],
      }),
      SOFTWARE_REQUEST,
    );

    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(\\&quot;pwned\\&quot;)&lt;/script&gt;');
  });

  it('a failed execution shows its error and its cause, pretty-printed', () => {
    const cause = JSON.stringify({ errorType: 'ValidationError', errorMessage: 'requestId <missing>' });

    const page = renderExecutionPage(
      execution({
        status: 'FAILED',
        output: null,
        error: 'ValidationError',
        cause,
        events: [
          { type: 'StateEntered', timestamp: '2026-11-28T10:00:00.000Z', stateName: 'StartSecurityVetting' },
          {
            type: 'StateFailed',
            timestamp: '2026-11-28T10:00:01.000Z',
            stateName: 'StartSecurityVetting',
            error: 'ValidationError',
            cause,
          },
          { type: 'StateEntered', timestamp: '2026-11-28T10:00:02.000Z', stateName: 'RecordError' },
          { type: 'StateEntered', timestamp: '2026-11-28T10:00:03.000Z', stateName: 'Failed' },
          { type: 'ExecutionFailed', timestamp: '2026-11-28T10:00:04.000Z', error: 'ValidationError', cause },
        ],
      }),
      SOFTWARE_REQUEST,
    );

    expect(page).toContain('<span class="badge FAILED">Failed</span>');
    expect(page).toContain('<h2 id="failure-h">Why it failed</h2>');
    expect(page).toContain('<span class="error">ValidationError</span>');
    expect(page).toContain('&quot;errorMessage&quot;: &quot;requestId &lt;missing&gt;&quot;');
    expect(page).toMatch(/data-from="StartSecurityVetting" data-to="RecordError"/);
    expect(page).toMatch(
      /class="sm-edge catch bus taken" data-from="StartSecurityVetting" data-to="RecordError"/,
    );
  });

  it('a running execution names its current step, in the status and on the diagram', () => {
    const page = renderExecutionPage(
      execution({
        status: 'RUNNING',
        stopDate: undefined,
        output: undefined,
        events: [
          { type: 'ExecutionStarted', timestamp: 1000 },
          { type: 'StateEntered', timestamp: 1001, stateName: 'StartSecurityVetting' },
          { type: 'StateExited', timestamp: 1002, stateName: 'StartSecurityVetting' },
          { type: 'StateEntered', timestamp: 1003, stateName: 'PrivacyPolicyReview' },
        ],
      }),
      SOFTWARE_REQUEST,
    );

    expect(page).toContain(
      '<span class="badge RUNNING">Running</span> at <strong>PrivacyPolicyReview</strong>',
    );
    expect(page).toMatch(/data-state="PrivacyPolicyReview" data-taken="true" data-current="true"/);
    expect(page).toContain('<li>PrivacyPolicyReview (now)</li>');
    expect(page).toContain('Still running.');
  });

  it('orders the history by time even when events arrive out of order', () => {
    const page = renderExecutionPage(
      execution({
        events: [
          { type: 'StateEntered', timestamp: 2000, stateName: 'PrivacyPolicyReview' },
          { type: 'StateEntered', timestamp: 1000, stateName: 'StartSecurityVetting' },
        ],
      }),
      SOFTWARE_REQUEST,
    );

    expect(page.indexOf('<td>StartSecurityVetting</td>')).toBeLessThan(
      page.indexOf('<td>PrivacyPolicyReview</td>'),
    );
    expect(page).toContain('<li>StartSecurityVetting</li><li>PrivacyPolicyReview</li>');
  });

  it('never shows a task token or link secret, even if one reached the history', () => {
    const page = renderExecutionPage(
      execution({ input: { taskToken: 'local-SECRET-TOKEN', nested: { linkSecret: 'abc123' }, ok: 1 } }),
      SOFTWARE_REQUEST,
    );

    expect(page).not.toContain('local-SECRET-TOKEN');
    expect(page).not.toContain('abc123');
    expect(page).toContain('&quot;taskToken&quot;: &quot;[redacted]&quot;');
  });

  it('without the definition, still shows the execution and says the diagram is unavailable', () => {
    const page = renderExecutionPage(execution({ stateMachine: 'unknown-machine' }));

    expect(page).toContain('The definition of unknown-machine is not available.');
    expect(page).not.toContain('<svg');
  });
});

describe('the HTML routes over the local JSON routes', () => {
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const request = (path: string, params: Record<string, string> = {}, query = '') => ({
    method: 'GET',
    path,
    query: new URLSearchParams(query),
    headers: {},
    body: '',
    params,
  });
  function routes(answers: Record<string, { status: number; body: string }>) {
    const asked: string[] = [];
    const list = executionViewRoutes(async (path, query) => {
      asked.push(`${path}${query.size ? `?${query}` : ''}`);
      return answers[path];
    });
    const byPath = (p: string) => list.find((r) => r.path === p)!;
    return { asked, list: byPath('/executions'), one: byPath('/executions/{name}') };
  }

  it('GET /executions renders /_local/executions with the status filter, as a page with the security headers', async () => {
    const { list, asked } = routes({ '/_local/executions': json(200, EXECUTIONS) });

    const res = await list.handle(request('/executions', {}, 'status=RUNNING'));

    expect(asked).toEqual(['/_local/executions']);
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    expect(res.headers?.['Content-Security-Policy']).toContain("default-src 'none'");
    expect(rowsOf(res.body ?? '')).toEqual(['SR-20261128-BBBB0002']);
  });

  it('GET /executions/{name} renders the execution with the diagram of its state machine', async () => {
    const { one, asked } = routes({
      '/_local/executions/SR-1': json(200, execution({ name: 'SR-1', stateMachine: 'software-request' })),
    });

    const res = await one.handle(
      request('/executions/SR-1', { name: 'SR-1' }, 'stateMachine=software-request'),
    );

    expect(asked).toEqual(['/_local/executions/SR-1?stateMachine=software-request']);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<h1>Execution SR-1</h1>');
    expect(res.body).toContain('data-state="StartSecurityVetting"');
  });

  it('the annual renewal execution gets the annual-renewal diagram', async () => {
    const { one } = routes({
      '/_local/executions/R-1': json(200, execution({ name: 'R-1', stateMachine: 'annual-renewal' })),
    });

    const res = await one.handle(request('/executions/R-1', { name: 'R-1' }));

    expect(res.body).toContain('data-state="PlanRenewal"');
    expect(res.body).not.toContain('data-state="StartSecurityVetting"');
  });

  it('an unknown execution is a 404 page naming it (escaped)', async () => {
    const { one } = routes({ '/_local/executions/%3Cb%3E': json(404, { message: 'No execution' }) });

    const res = await one.handle(request('/executions/%3Cb%3E', { name: '<b>' }));

    expect(res.status).toBe(404);
    expect(res.body).toContain('There is no execution named &lt;b&gt;.');
  });

  it('a failing JSON route is an error, not an empty page', async () => {
    const { list } = routes({ '/_local/executions': json(500, { message: 'boom' }) });

    await expect(list.handle(request('/executions'))).rejects.toThrow(
      'The executions list is unavailable (500)',
    );
  });
});

describe('formatting', () => {
  it('dates are UTC and locale-free; missing dates are a dash', () => {
    expect(formatDate('2026-11-28T10:00:01.123Z')).toBe('2026-11-28 10:00:01 UTC');
    expect(formatDate(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05 UTC');
    expect(formatDate(undefined)).toBe('—');
    expect(formatDate('not a date')).toBe('not a date');
  });

  it('JSON strings are parsed and pretty-printed; other strings are shown as they are', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('plain text')).toBe('plain text');
    expect(prettyJson(undefined)).toBe('—');
  });
});
