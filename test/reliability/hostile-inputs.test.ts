/**
 * Reliability, hostile input: a fixed corpus (lone surrogates, NUL/BEL/ESC, zero-width-only names,
 * bytes that are not UTF-8, 100–250 KB links, loopback, private, link-local and IP-literal hosts,
 * credentials in a link, a host without a dot, CRLF in a link) and fast-check generated bodies, as JSON
 * and as form posts, over POST /requests and POST /tasks/{id} of a task that is really open. Every
 * one must answer 4xx, none 5xx, and none may write: writes are counted at the DynamoDB wire (every
 * PutItem/UpdateItem/DeleteItem/Batch/Transact call the handlers make, through `faults.dynamodb`),
 * not taken from the answers. The outbox and the executions must not change either.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestBody, type TaskLink, useTestRuntime } from '../e2e/helpers.ts';
import { atLeast, exactly, info, misses, recordFigures } from './figures.ts';
import { formBody, OperationCounter, SEED, until } from './support.ts';

const counter = new OperationCounter();
const env = useTestRuntime('rel-hostile', { faults: { dynamodb: counter.predicate } });

const tally = { tried: 0, fourxx: 0, fivexx: 0, other: 0 };
const failures: string[] = [];

type Post = { path: string; body: string | Uint8Array; type: 'json' | 'form'; label: string; key?: string };

async function send(p: Post): Promise<number> {
  const res = await env.client.fetch(p.path, {
    method: 'POST',
    headers: {
      'content-type': p.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(p.key ? { 'idempotency-key': p.key } : {}),
    },
    body: p.body,
  });
  await res.arrayBuffer();
  tally.tried++;
  if (res.status >= 400 && res.status < 500) tally.fourxx++;
  else {
    if (res.status >= 500) tally.fivexx++;
    else tally.other++;
    if (failures.length < 20) failures.push(`${p.label} (${p.type}) → ${res.status}`);
  }
  return res.status;
}

/** A request with `field` set to `value`, as JSON (with raw escapes patched in) and as a form. */
function both(label: string, field: string, value: unknown, rawJson?: string): Post[] {
  const placeholder = '__HOSTILE__';
  const jsonText = JSON.stringify(requestBody({ [field]: rawJson ? placeholder : value }));
  const json = rawJson ? jsonText.replace(`"${placeholder}"`, rawJson) : jsonText;
  return [
    { path: '/requests', body: json, type: 'json', label },
    { path: '/requests', body: formBody(requestBody({ [field]: value })), type: 'form', label },
  ];
}

const big = (kb: number) => `https://fractionlab.example.com/${'a'.repeat(kb * 1024)}`;

function corpus(): Post[] {
  const notUtf8Json = Buffer.from(JSON.stringify(requestBody({ requesterName: 'Mar-a' })));
  notUtf8Json[notUtf8Json.indexOf('Mar-a') + 3] = 0xff;
  const notUtf8Form = Buffer.from(formBody(requestBody({ requesterName: 'Mar-a' })));
  notUtf8Form[notUtf8Form.indexOf('Mar-a') + 3] = 0xc3; // a lead byte with no continuation
  const posts: Post[] = [
    // lone surrogates: raw \ud800 in JSON; in a form only %ED%A0%80 (CESU) can try to say it
    ...both('lone high surrogate', 'requesterName', 'ab\ud800cd', '"ab\\ud800cd"'),
    ...both('lone low surrogate', 'vendorName', 'x\udc00', '"x\\udc00"'),
    ...both('NUL', 'resourceName', 'Fraction\u0000Lab'),
    ...both('BEL', 'principal', 'Dr.\u0007Greene'),
    ...both('ESC (ANSI clear screen)', 'vendorName', 'Numeracy\u001b[2JCo'),
    ...both('zero-width-only name', 'resourceName', '\u200b\u200c\u200d\u2060\ufeff'),
    ...both('zero-width-only requester', 'requesterName', '\u200b\u200b'),
    ...both('100 KB link', 'resourceUrl', big(100)),
    ...both('250 KB link', 'resourceUrl', big(250)),
    ...both('loopback IP', 'resourceUrl', 'http://127.0.0.1/'),
    ...both('localhost', 'resourceUrl', 'http://localhost:8080/admin'),
    ...both('cloud metadata', 'resourceUrl', 'http://169.254.169.254/latest/meta-data/'),
    ...both('IPv6 loopback', 'resourceUrl', 'http://[::1]/'),
    ...both('hex IP', 'resourceUrl', 'http://0x7f000001/'),
    ...both('private IP', 'resourceUrl', 'https://10.0.0.1/'),
    ...both('credentials in link', 'resourceUrl', 'https://user:pass@fractionlab.example.com/'),
    ...both('host without a dot', 'resourceUrl', 'https://a'),
    ...both('CRLF in link', 'resourceUrl', 'https://fractionlab.example.com/\r\nX-Injected: 1'),
    ...both('encoded CRLF host', 'resourceUrl', 'https://fractionlab.example.com%0d%0aX-Injected:1/'),
    { path: '/requests', body: notUtf8Json, type: 'json', label: 'invalid UTF-8 (JSON)' },
    { path: '/requests', body: notUtf8Form, type: 'form', label: 'invalid UTF-8 bytes (form)' },
    {
      path: '/requests',
      body: formBody(requestBody({ requesterName: 'Mar-a' })).replace('Mar-a', 'Mar%FFa'),
      type: 'form',
      label: 'invalid UTF-8 percent-encoded (form)',
    },
    {
      path: '/requests',
      body: formBody(requestBody({ requesterName: 'Mar-a' })).replace('Mar-a', 'Mar%ED%A0%80a'),
      type: 'form',
      label: 'CESU-8 surrogate percent-encoded (form)',
    },
    // a valid body with a hostile Idempotency-Key: refused before anything is claimed
    {
      path: '/requests',
      body: JSON.stringify(requestBody()),
      type: 'json',
      label: 'Idempotency-Key with a path',
      key: '../../etc/passwd',
    },
    { path: '/requests', body: JSON.stringify(requestBody()), type: 'json', label: 'short key', key: 'k' },
    { path: '/requests', body: '', type: 'json', label: 'empty body' },
    { path: '/requests', body: '[]', type: 'json', label: 'array body' },
    { path: '/requests', body: 'null', type: 'json', label: 'null body' },
    { path: '/requests', body: '{"requesterName":', type: 'json', label: 'truncated JSON' },
  ];
  return posts;
}

// ---- generated bodies -----------------------------------------------------------------------------

const SINGLE_LINE = [
  'requesterName',
  'resourceName',
  'vendorName',
  'paymentResponsibility',
  'budgetCode',
  'principal',
];
const MULTI_LINE = ['studentUseVision', 'commonCoreAlignment'];
const LISTS = ['gradeLevels', 'contentAreas', 'teksAddressed', 'studentDataElements'];
const LIMIT: Record<string, number> = {
  requesterName: 120,
  principal: 120,
  resourceName: 200,
  vendorName: 200,
  paymentResponsibility: 200,
  budgetCode: 60,
  studentUseVision: 2000,
  commonCoreAlignment: 1000,
};

const plain = fc.string({
  unit: fc.constantFrom('a', 'b', 'Z', 'é', '王', ' ', '1', '<', '&'),
  maxLength: 12,
});
const insert = (inserted: fc.Arbitrary<string>) =>
  fc.tuple(plain, inserted, plain).map(([a, i, b]) => `x${a}${i}${b}x`);
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Controls that no field allows (newline, CR and tab are allowed in multi-line fields). */
const control = fc
  .oneof(
    fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 9 && c !== 10 && c !== 13),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(0x2028, 0x2029, 0x202e, 0x2066),
  )
  .map((c) => String.fromCharCode(c));
const invisibleOnly = fc
  .array(fc.constantFrom(' ', '\u00a0', '\u200b', '\u200d', '\u2060', '\ufeff', '\u3000', '\u00ad'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((a) => a.join(''));
const octet = fc.integer({ min: 0, max: 255 });
const badHost = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16)}`),
  fc.integer({ min: 0, max: 0xffffffff }).map(String),
  fc.constantFrom(
    '[::1]',
    '[fd00::1]',
    '[::ffff:127.0.0.1]',
    'localhost',
    'metadata.google.internal',
    'router.lan',
    'a',
  ),
  fc.constantFrom('10.0.0.1', '192.168.1.1', '172.16.0.1', '169.254.169.254', '127.1', '0177.0.0.1'),
);
const badUrl = fc.oneof(
  fc
    .tuple(fc.constantFrom('http', 'https'), badHost, fc.constantFrom('', '/', '/admin', ':8080/x'))
    .map(([s, h, p]) => `${s}://${h}${p}`),
  fc
    .tuple(
      fc.constantFrom('user', 'u:p', 'admin:secret'),
      fc.constantFrom('example.com', 'fractionlab.example.com'),
    )
    .map(([c, h]) => `https://${c}@${h}/`),
  fc.constantFrom(
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://example.com/',
    'data:text/html,<b>x</b>',
    '//example.com',
  ),
  fc
    .tuple(fc.constantFrom('\r\n', '\n', '\t', ' ', '\u0000', '\\'), plain)
    .map(([c, t]) => `https://example.com/${t}${c}x`),
  fc.integer({ min: 2049, max: 6000 }).map((n) => `https://example.com/${'p'.repeat(n)}`),
);

/** One hostile value for `field`, never a valid one. */
function hostileFor(field: string, asForm: boolean): fc.Arbitrary<unknown> {
  if (field === 'resourceUrl') return badUrl;
  const multi = MULTI_LINE.includes(field);
  const texts: fc.Arbitrary<string>[] = [insert(control), invisibleOnly];
  if (!asForm) texts.push(insert(surrogate)); // a form can only carry valid UTF-8 or be refused as a whole
  const limit = LIMIT[field];
  if (limit) texts.push(fc.integer({ min: limit + 1, max: limit * 2 }).map((n) => 'y'.repeat(n)));
  const text = fc.oneof(...texts);
  if (LISTS.includes(field)) {
    // in a form a list is comma- and newline-split: a control inside one item is still refused
    const item = asForm
      ? fc.oneof(
          insert(control.filter((c) => c !== '\u2028' && c !== '\u2029')),
          fc.constant('y'.repeat(101)),
        )
      : text;
    return fc.array(item, { minLength: 1, maxLength: 3 });
  }
  if (asForm) return text;
  const wrongType =
    multi || SINGLE_LINE.includes(field)
      ? fc.oneof(fc.integer(), fc.boolean(), fc.constant({ $ne: 1 }), fc.constant([]))
      : fc.constant({});
  return fc.oneof(text, wrongType);
}

const FIELDS = [...SINGLE_LINE, ...MULTI_LINE, ...LISTS, 'resourceUrl'];
const mutated = (asForm: boolean) =>
  fc
    .uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 })
    .chain((fields) => fc.tuple(...fields.map((f) => hostileFor(f, asForm).map((v) => [f, v] as const))));

const randomJson = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc
    .dictionary(fc.constantFrom(...FIELDS, 'cost', '__proto__', 'constructor'), fc.jsonValue())
    .map((d) => JSON.stringify(d)),
);

const runs = (n: number) => ({ numRuns: n, seed: SEED, endOnFailure: true });

describe('reliability: hostile input is refused with a 4xx and writes nothing', () => {
  let link: TaskLink;
  let before: { outbox: number; executions: number; status: string };
  let preparationWrites = 0;
  let targetId: string;

  it('prepares one open privacy-review task to attack', async () => {
    const requestId = await env.client.submit(requestBody({ resourceName: 'Target Lab' }));
    targetId = requestId;
    link = await env.client.nextTask(requestId, 'privacy-review');
    await until('the workflow to wait for the privacy review', async () => {
      const d = await env.client.execution(requestId);
      return d.waitingFor.includes('PrivacyPolicyReview') ? d : undefined;
    });
    // the audit event follows the email: wait until the handlers stop writing
    let last = -1;
    await until('the writes to settle', async () => {
      const now = counter.writes;
      const settled = now === last;
      last = now;
      await new Promise((r) => setTimeout(r, 300));
      return settled ? true : undefined;
    });
    // the counter sees the handlers' writes (else "0 writes" below would prove nothing)
    preparationWrites = counter.writes;
    expect(preparationWrites).toBeGreaterThan(0);
    counter.reset();
    before = {
      outbox: (await env.client.outbox()).length,
      executions: (await env.client.executions()).length,
      status: JSON.stringify(await env.client.request(requestId)),
    };
  });

  it('the corpus, as JSON and as form posts, over POST /requests', async () => {
    for (const p of corpus()) await send(p);
  });

  it('generated JSON request bodies (1–3 hostile fields), and arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(false), async (changes) => {
        const body = requestBody(Object.fromEntries(changes));
        const status = await send({
          path: '/requests',
          body: JSON.stringify(body),
          type: 'json',
          label: JSON.stringify(changes).slice(0, 200),
        });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      runs(220),
    );
    await fc.assert(
      fc.asyncProperty(randomJson, async (text) => {
        const status = await send({
          path: '/requests',
          body: text,
          type: 'json',
          label: `random ${text.slice(0, 100)}`,
        });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      runs(60),
    );
  });

  it('generated form request bodies', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(true), async (changes) => {
        const body = formBody(requestBody(Object.fromEntries(changes)));
        const status = await send({
          path: '/requests',
          body,
          type: 'form',
          label: JSON.stringify(changes).slice(0, 200),
        });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      runs(150),
    );
  });

  it('generated decisions on an open task (right secret, hostile fields; wrong or no secret; arbitrary bodies), JSON and form', async () => {
    const decision = fc.constantFrom(
      'acceptable',
      'unacceptable',
      'ask',
      'approve',
      '',
      'ACCEPTABLE',
      'acceptable\u0000',
    );
    const hostileName = fc.oneof(
      insert(control),
      invisibleOnly,
      insert(surrogate),
      fc.constant('n'.repeat(121)),
    );
    const secret = fc.oneof(
      fc.constant(link.secret),
      fc.constant(link.secret),
      fc.constant(link.secret.slice(0, -1)),
      fc.constant(`${link.secret}A`),
      fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789-_'), minLength: 1, maxLength: 60 }),
    );
    const decisionBody = fc.record({
      t: secret,
      decision,
      decidedBy: hostileName,
      comment: fc.oneof(plain, insert(control), insert(surrogate)),
      studentDataRequired: fc.constantFrom('yes', 'no', 'maybe'),
      vendorContactEmail: fc.constantFrom('privacy@vendor.example', 'not-an-email', 'a@b'),
      questionFor: fc.constantFrom('requester', 'vendor', 'anyone'),
      question: plain,
    });
    await fc.assert(
      fc.asyncProperty(decisionBody, fc.boolean(), async (body, asForm) => {
        // a form cannot carry a lone surrogate; URLSearchParams would turn it into U+FFFD (also refused)
        const status = await send({
          path: `/tasks/${link.taskId}`,
          body: asForm ? new URLSearchParams(body).toString() : JSON.stringify(body),
          type: asForm ? 'form' : 'json',
          label: `decision ${JSON.stringify(body).slice(0, 200)}`,
        });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      runs(120),
    );
    await fc.assert(
      fc.asyncProperty(
        randomJson,
        fc.constantFrom(link.taskId, 'AAAAAAAAAAAAAAAAAAAAAA', 'x'),
        async (text, taskId) => {
          const status = await send({
            path: `/tasks/${taskId}`,
            body: text,
            type: 'json',
            label: `random decision ${text.slice(0, 100)}`,
          });
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
        },
      ),
      runs(40),
    );
    const notUtf8 = Buffer.from(
      `t=${link.secret}&decision=acceptable&decidedBy=Mar-a&studentDataRequired=no&vendorContactEmail=p%40v.example`,
    );
    notUtf8[notUtf8.indexOf('Mar-a') + 3] = 0xff;
    await send({
      path: `/tasks/${link.taskId}`,
      body: notUtf8,
      type: 'form',
      label: 'decision with invalid UTF-8',
    });
    await send({
      path: `/tasks/${link.taskId}`,
      body: `t=${link.secret}&decision=acceptable&decidedBy=Mar%FFa&studentDataRequired=no&vendorContactEmail=p%40v.example`,
      type: 'form',
      label: 'decision with percent-encoded invalid UTF-8',
    });
  });

  it('figures: every one 4xx, no 5xx, no write, nothing sent or started', async () => {
    const after = {
      outbox: (await env.client.outbox()).length,
      executions: (await env.client.executions()).length,
      status: JSON.stringify(await env.client.request(targetId)),
    };
    const figures = [
      atLeast('hostile bodies tried', tally.tried, 500),
      exactly(
        'answered 4xx (% of tried)',
        tally.tried ? Math.round((tally.fourxx / tally.tried) * 1000) / 10 : 0,
        100,
      ),
      exactly('answered 5xx', tally.fivexx, 0),
      exactly('answered 2xx/3xx', tally.other, 0),
      exactly('DynamoDB writes (counted at the wire)', counter.writes, 0),
      exactly('emails sent', after.outbox - before.outbox, 0),
      exactly('executions started', after.executions - before.executions, 0),
      exactly('attacked request changed', after.status === before.status ? 0 : 1, 0),
      info('writes counted while preparing the task (counter check)', preparationWrites),
      info(
        'DynamoDB reads during the attack',
        [...counter.seen]
          .filter(([op]) => !['PutItem', 'UpdateItem', 'DeleteItem'].includes(op))
          .reduce((n, [, c]) => n + c, 0),
      ),
    ];
    recordFigures('hostile-inputs', figures, failures.slice(0, 5));
    expect(misses(figures), failures.join('\n')).toEqual([]);
  });
});
