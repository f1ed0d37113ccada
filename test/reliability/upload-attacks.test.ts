/**
 * Reliability, the vendor's upload link (docs/design.md "Evidence and the public list"): hostile files
 * and hostile links against the running product, a 20-way race of uploads on one link, expiry, and a
 * writer killed (kill -9) in the middle of storing documents. Every refused attack must leave the link
 * open and keep nothing; the race keeps exactly one document; a killed write leaves each document
 * whole (the one before, or the new one), never torn.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestBody, useTestRuntime } from '../e2e/helpers.ts';
import { openRuntimeStore } from '../support/runtime-store.ts';
import { exactly, info, recordFigures } from './figures.ts';

const env = useTestRuntime('rel-uploads');

const pdf = (extra = '') =>
  Buffer.from(
    `%PDF-1.7\n1 0 obj << /Type /Catalog ${extra} >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );

/** A request at its DPA wait, and the upload link the vendor was emailed. */
async function dpaUploadLink(name: string): Promise<{ requestId: string; link: string }> {
  const requestId = await env.client.submit(requestBody({ resourceName: name }));
  await env.client.complete(requestId, 'privacy-review', {
    decision: 'acceptable',
    studentDataRequired: 'yes',
    vendorContactEmail: 'privacy@vendor.example',
  });
  for (let i = 0; i < 100; i++) {
    const email = (await env.client.outbox()).find(
      (e) => e.to.includes('privacy@vendor.example') && e.text.includes(requestId),
    );
    const link = email && /https?:\/\/\S+\/uploads\/[\w-]{22}\?t=[\w-]{43}/.exec(email.text)?.[0];
    if (link) return { requestId, link };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no DPA upload link for ${requestId}`);
}

interface Form {
  action: string;
  fields: [string, string][];
}

async function formOf(link: string): Promise<Form> {
  const html = await (await fetch(link)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  if (!action) throw new Error(`no upload form: ${html.slice(0, 200)}`);
  const unescapeHtml = (v: string) =>
    v.replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
    ([, n, v]): [string, string] => [n ?? '', unescapeHtml(v ?? '')],
  );
  return { action, fields };
}

/** Posts `file` with the page's form (optionally altered) and follows S3's redirect back to the site. */
async function upload(
  form: Form,
  file: Buffer,
  alter: (f: [string, string][]) => [string, string][] = (f) => f,
) {
  const body = new FormData();
  for (const [name, value] of alter(form.fields)) body.append(name, value);
  body.append('file', new Blob([file]), 'signed.pdf');
  const stored = await fetch(form.action, { method: 'POST', body, redirect: 'manual' });
  const back = stored.headers.get('location');
  if (stored.status !== 303 || !back) return { stage: 's3', status: stored.status };
  const received = await fetch(back);
  return { stage: 'site', status: received.status };
}

/** Documents the request's audit trail says were received. */
async function evidenceCount(requestId: string): Promise<number> {
  const { store, close } = openRuntimeStore(env.runtime);
  try {
    return (await store.listAudit(requestId)).filter((e) => e.type === 'DOCUMENT_RECEIVED').length;
  } finally {
    close();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the upload link under attack', () => {
  it('refuses hostile files and links, keeps nothing, and the link still takes the real agreement', async () => {
    const { requestId, link } = await dpaUploadLink('Upload attacks');
    const uploadId = /uploads\/([\w-]{22})/.exec(link)?.[1] ?? '';
    const attacks: { name: string; run: () => Promise<{ status: number }>; expect: number[] }[] = [
      {
        name: 'a text file named .pdf',
        run: async () => upload(await formOf(link), Buffer.from('not a pdf')),
        expect: [415],
      },
      {
        name: 'an HTML page',
        run: async () => upload(await formOf(link), Buffer.from('<html>%PDF-</html>')),
        expect: [415],
      },
      { name: 'an empty file', run: async () => upload(await formOf(link), Buffer.alloc(0)), expect: [400] },
      {
        name: '10 MB + 1 byte',
        run: async () => upload(await formOf(link), Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)),
        expect: [400],
      },
      {
        name: "another upload's key in the form",
        run: async () =>
          upload(await formOf(link), pdf(), (f) =>
            f.map(([n, v]) => [n, n === 'key' ? `incoming/${'A'.repeat(22)}/x` : v]),
          ),
        expect: [403],
      },
      {
        name: 'a longer size limit in the form',
        run: async () =>
          upload(await formOf(link), pdf(), (f) =>
            f.map(([n, v]) => [n, n === 'Policy' ? Buffer.from('{"conditions":[]}').toString('base64') : v]),
          ),
        expect: [403],
      },
      {
        name: 'a forged secret',
        run: async () => fetch(link.replace(/t=[\w-]+/, `t=${'x'.repeat(43)}`)),
        expect: [403],
      },
      { name: 'no secret', run: async () => fetch(link.replace(/\?t=[\w-]+/, '')), expect: [403] },
      {
        name: 'an unknown link',
        run: async () => fetch(link.replace(uploadId, 'B'.repeat(22))),
        expect: [404],
      },
      {
        name: 'received without an upload',
        run: async () => fetch(link.replace(`${uploadId}?`, `${uploadId}/received?key=../../etc/passwd&`)),
        expect: [400],
      },
    ];
    const results: { name: string; status: number; ok: boolean }[] = [];
    for (const attack of attacks) {
      const { status } = await attack.run();
      results.push({ name: attack.name, status, ok: attack.expect.includes(status) });
    }
    const keptAfterAttacks = await evidenceCount(requestId);
    const real = await upload(await formOf(link), pdf());
    const replay = await upload(await formOf(link).catch(() => ({ action: '', fields: [] })), pdf()).catch(
      () => ({ status: 0 }),
    );
    const reopened = (await fetch(link)).status;

    const wrong = results.filter((r) => !r.ok);
    recordFigures('upload-attacks', [
      info('upload attacks', results.length),
      exactly('upload attacks answered otherwise than expected', wrong.length, 0),
      exactly('documents kept by the attacks', keptAfterAttacks, 0),
      exactly('the real agreement kept after the attacks (200)', real.status === 200 ? 1 : 0, 1),
      exactly('the link reopened after use answers 409', reopened, 409),
    ]);
    expect(wrong).toEqual([]);
    expect(keptAfterAttacks).toBe(0);
    expect(real.status).toBe(200);
    expect(replay.status).not.toBe(200);
    expect(reopened).toBe(409);
    expect(await evidenceCount(requestId)).toBe(1);
  });

  it('20 uploads at once on one link: exactly one is kept, the others answer 409', async () => {
    const { requestId, link } = await dpaUploadLink('Upload race');
    const forms = await Promise.all(Array.from({ length: 20 }, () => formOf(link)));
    const results = await Promise.all(forms.map((form, i) => upload(form, pdf(`/Copy ${i}`))));
    const statuses = results.map((r) => r.status);
    const kept = await evidenceCount(requestId);
    recordFigures('upload-attacks', [
      info('concurrent uploads on one link', statuses.length),
      exactly('uploads kept (200)', statuses.filter((s) => s === 200).length, 1),
      exactly('uploads refused as already received (409)', statuses.filter((s) => s === 409).length, 19),
      exactly('documents in the audit trail', kept, 1),
    ]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(kept).toBe(1);
  });

  it('an expired link answers 410 on its page and after an upload, keeping nothing', async () => {
    const { requestId, link } = await dpaUploadLink('Upload expiry');
    const form = await formOf(link);
    // The link expires with the DPA wait (at most a year): the handlers run in this process.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 400 * 86_400_000 });
    const page = (await fetch(link)).status;
    // The form made before expiry: S3 refuses its expired policy (403), or the site the link (410).
    const stored = await upload(form, pdf());
    vi.useRealTimers();
    recordFigures('upload-attacks', [
      exactly('an expired upload link answers 410', page, 410),
      exactly('an upload on an expired link kept', stored.status === 200 ? 1 : 0, 0),
    ]);
    expect(page).toBe(410);
    expect([403, 410]).toContain(stored.status);
    expect(await evidenceCount(requestId)).toBe(0);
  });
});

const written = (folder: string) =>
  existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.pdf')).length : 0;

describe('kill -9 while documents are written', () => {
  it('leaves every document whole: the one before or the new one, never torn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-upload-crash-'));
    const folderOf = (round: number) =>
      join(dir, String(round), 'documents', 'documents-bucket', 'documents');
    let kills = 0;
    try {
      for (let round = 0; round < 10; round++) {
        const writer = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/reliability/fixtures/write-documents.ts', join(dir, String(round))],
          {
            stdio: 'ignore',
          },
        );
        // Killed while it writes: once the first document is there (tsx takes a second or more to start
        // under load), after a little more, as documents of 4 MB follow each other every few tens of ms.
        const started = Date.now();
        while (written(folderOf(round)) === 0 && Date.now() - started < 20_000) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await new Promise((resolve) => setTimeout(resolve, (round * 37) % 200));
        writer.kill('SIGKILL');
        await new Promise((resolve) => writer.once('exit', resolve));
        kills++;
      }
      const documents = Array.from({ length: kills }, (_, round) => folderOf(round)).flatMap((folder) =>
        existsSync(folder)
          ? readdirSync(folder)
              .filter((f) => f.endsWith('.pdf'))
              .map((f) => join(folder, f))
          : [],
      );
      const torn = documents.filter((path) => {
        const bytes = readFileSync(path);
        const body = bytes.subarray(0, bytes.length - 64);
        return (
          createHash('sha256').update(body).digest('hex') !== bytes.subarray(bytes.length - 64).toString()
        );
      });
      recordFigures('upload-attacks', [
        info('kill -9 during document writes', kills),
        info('documents found after the kills', documents.length),
        exactly('torn documents', torn.length, 0),
      ]);
      expect(documents.length).toBeGreaterThanOrEqual(kills);
      expect(torn).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
