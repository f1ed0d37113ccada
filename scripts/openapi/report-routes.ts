/** The reports' routes (docs/design.md "Reports"): with sign-in, Technology Services and the auditors only. */
import { type Json, jsonBody, ref } from './common.ts';
import type { OpenApiRoute } from './routes.ts';

const RANGE: Json[] = [
  {
    name: 'from',
    in: 'query',
    required: false,
    description: 'First month (YYYY-MM); default 11 months before `to`.',
    schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
  },
  {
    name: 'to',
    in: 'query',
    required: false,
    description: 'Last month (YYYY-MM); default this month. At most 24 months.',
    schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
  },
];

const days = { type: ['number', 'null'], description: 'Days, to a tenth; null without data.' };

const SUMMARY: Json = {
  type: 'object',
  required: ['from', 'to', 'requests', 'steps', 'denials', 'leadTime', 'reusedVettingPct', 'perMonth'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    requests: {
      type: 'object',
      properties: {
        submitted: { type: 'integer' },
        approved: { type: 'integer' },
        denied: { type: 'integer' },
        inReview: { type: 'integer', description: 'Requests waiting on a person now.' },
        error: { type: 'integer' },
      },
    },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          title: { type: 'string' },
          sopStep: { type: 'integer' },
          team: { type: 'string' },
          decided: { type: 'integer' },
          medianDays: days,
          p90Days: days,
          slaDays: { type: 'integer', description: "The step's service level (cdk.json serviceLevelDays)." },
          withinSlaPct: { type: ['number', 'null'] },
          pendingNow: { type: 'integer' },
          overdueNow: { type: 'integer', description: 'Pending and past the service level now.' },
        },
      },
    },
    denials: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sopStep: { type: 'integer' }, reason: { type: 'string' }, count: { type: 'integer' } },
      },
    },
    leadTime: { type: 'object', properties: { medianDays: days, p90Days: days } },
    reusedVettingPct: { type: ['number', 'null'] },
    perMonth: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          month: { type: 'string' },
          submitted: { type: 'integer' },
          approved: { type: 'integer' },
          denied: { type: 'integer' },
        },
      },
    },
  },
};

const reportRoute = (path: string, operationId: string, operation: Json): OpenApiRoute => ({
  path,
  method: 'get',
  operation: {
    tags: ['reports'],
    operationId,
    parameters: RANGE,
    security: [{ session: [] }, { bearer: [] }, {}],
    ...operation,
  },
});

const REFUSED: Json = {
  '400': jsonBody(ref('FieldErrors'), 'A month is not YYYY-MM, or the range is longer than 24 months.'),
  '401': jsonBody(ref('Error'), 'With sign-in: not signed in.'),
  '403': jsonBody(ref('Error'), 'With sign-in: not Technology Services or an auditor.'),
};

export const REPORT_ROUTES: OpenApiRoute[] = [
  reportRoute('/reports', 'reports', {
    summary: 'How the procedure is doing: charts (inline SVG) and tables',
    responses: {
      '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
      ...REFUSED,
    },
  }),
  reportRoute('/reports/summary.json', 'reportSummary', {
    summary: "The reports' figures, from aggregates kept as events happen",
    responses: { '200': jsonBody(SUMMARY, 'The figures of the months.'), ...REFUSED },
  }),
  reportRoute('/reports/tasks.csv', 'reportTasks', {
    summary: 'The decided tasks behind the figures, as CSV',
    responses: {
      '200': {
        description:
          'taskId, requestId, kind, team, sopStep, assignedAt, decidedAt, days, serviceLevelDays, withinServiceLevel, decision, decidedBy. At most 2,000 rows; a `Link: <…>; rel="next"` header gives the rest.',
        content: { 'text/csv': { schema: { type: 'string' } } },
      },
      ...REFUSED,
    },
  }),
];
