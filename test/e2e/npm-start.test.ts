/**
 * End to end: `npm start` (tsx local/main.ts) as a separate process. It prints its URLs, serves the
 * form, and survives a crash: killed without warning while a request waits for its privacy review,
 * a new process on the same data folder resumes the execution and the emailed link still works.
 * A clean stop (SIGTERM) exits with status 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, parseTaskLink, removeDataDir, requestBody, tempDataDir } from './helpers.ts';

const dataDir = tempDataDir('npm-start');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeDataDir(dataDir);
});

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function npmStart(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    // Emailed links alone (AUTH_MODE=link): this test is about crashes and restarts; sign-in has its own.
    env: { ...process.env, PORT: '0', LOCAL_DATA_DIR: dataDir, NODE_OPTIONS: '', AUTH_MODE: 'link' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const port = await eventually(
    'npm start to print its URLs',
    async () => /Request form\s+http:\/\/localhost:(\d+)\//.exec(out)?.[1],
    { timeoutMs: 30_000, seen: async () => out },
  );
  return { child, base: `http://127.0.0.1:${port}`, output: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function outbox(base: string): Promise<{ subject: string; text: string; to: string[] }[]> {
  return (await fetch(`${base}/_local/outbox`)).json() as Promise<
    { subject: string; text: string; to: string[] }[]
  >;
}

describe('npm start', () => {
  it('prints its URLs, serves the form, resumes after a crash and stops cleanly on SIGTERM', async () => {
    // Prepare: a first process with a request waiting for Cybersecurity
    const first = await npmStart();
    expect(first.output()).toMatch(/Registry\s+http:\/\/localhost:\d+\/registry/);
    expect(first.output()).toMatch(/Outbox \(JSON\)\s+http:\/\/localhost:\d+\/_local\/outbox/);
    const form = await fetch(`${first.base}/`, { headers: { accept: 'text/html' } });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form');
    const submitted = await fetch(`${first.base}/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(
        requestBody({
          resourceName: 'Crash Course',
          resourceUrl: undefined,
          resourceKind: 'application',
          studentDataShared: false,
          studentDataElements: undefined,
          cost: 0,
        }),
      ),
    });
    const { requestId } = (await submitted.json()) as { requestId: string };
    const taskEmail = await eventually('the privacy review email', async () =>
      (await outbox(first.base)).find(
        (e) =>
          e.subject.startsWith('Action needed') &&
          e.subject.includes(requestId) &&
          e.subject.includes('privacy policy'),
      ),
    );
    const link = parseTaskLink({
      ...taskEmail,
      messageId: '',
      cc: [],
      from: '',
      replyTo: [],
      html: '',
      at: '',
    });
    // the wait is announced (assign-task returned), so nothing is half done when the process dies
    await eventually('the execution to wait for the privacy review', async () => {
      const detail = (await (await fetch(`${first.base}/_local/executions/${requestId}`)).json()) as {
        waitingFor: string[];
      };
      return detail.waitingFor.includes('PrivacyPolicyReview') ? true : undefined;
    });

    // Act: the process dies without cleaning up, and a new one starts on the same data folder
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await npmStart();

    // Assess: the execution resumed and the link emailed by the first process records the decision
    expect(second.output()).toContain('Resumed 1 execution(s)');
    const decided = await fetch(`${second.base}/tasks/${link?.taskId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        t: link?.secret,
        decision: 'acceptable',
        decidedBy: 'C. Security',
        studentDataRequired: false,
        vendorContactEmail: 'privacy@crash.example',
      }),
    });
    expect(decided.status).toBe(200);
    await eventually('the curriculum review email from the second process', async () =>
      (await outbox(second.base)).find(
        (e) => e.subject.includes(requestId) && e.subject.includes('Curriculum review'),
      ),
    );
    const emailsAboutIt = (await outbox(second.base)).filter((e) => e.subject.includes(requestId));
    const taskEmails = emailsAboutIt.filter((e) => e.subject.startsWith('Action needed'));
    expect(taskEmails.map((e) => e.subject.includes('privacy policy'))).toEqual([true, false]);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 90_000);
});
