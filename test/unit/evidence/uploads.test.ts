/**
 * SOP 4: the vendor returns the signed DPA through its single-use upload link. The document store is
 * an in-memory stand-in for S3; the links live on a real DynamoDB engine (dynalite), so the
 * single-use claim is the conditional write AWS runs. Each bad input of issue 20 has its case here.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkPdf, MAX_DOCUMENT_BYTES } from '#shared/evidence/pdf.ts';
import { openUpload, receiveUpload, type UploadDeps } from '#shared/evidence/uploads.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const REQUEST_ID = 'SR-20261205-VPD00001';
let clock = new Date('2026-12-05T10:00:00.000Z');
const now = () => clock;
let table: DynaliteTable;

beforeAll(async () => {
  table = await startDynaliteTable(now);
});
afterAll(async () => table.stop());

/** S3 as the upload steps see it: whole objects by key. */
class MemoryDocuments {
  readonly objects = new Map<string, Uint8Array>();
  uploadForm = async (input: { key: string }) => ({
    url: 'https://s3.example/bucket',
    fields: { key: input.key },
  });
  sizeOf = async (key: string) => this.objects.get(key)?.length;
  read = async (key: string) => {
    const bytes = this.objects.get(key);
    return bytes ? { bytes, contentType: 'application/octet-stream' } : undefined;
  };
  put = async (key: string, bytes: Uint8Array) => {
    this.objects.set(key, bytes);
  };
  remove = async (key: string) => {
    this.objects.delete(key);
  };
}

let documents: MemoryDocuments;
let deps: UploadDeps;

beforeEach(() => {
  clock = new Date('2026-12-05T10:00:00.000Z');
  documents = new MemoryDocuments();
  deps = {
    store: table.store,
    uploads: table.store,
    evidence: table.store,
    documents,
    publicBaseUrl: 'https://requests.district.example.org',
    now,
  };
});

const pdf = (body = '') =>
  Buffer.from(
    `%PDF-1.7\n1 0 obj << /Type /Catalog ${body} >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );

async function newLink(): Promise<{ uploadId: string; secret: string }> {
  return table.store.createUploadLink({
    requestId: REQUEST_ID,
    kind: 'dpa',
    sentTo: 'privacy@vendor.example',
    expiresAt: '2026-12-19T10:00:00.000Z',
  });
}

/** The browser's part: the page's form names the key; S3 stores the bytes under it. */
async function browserUpload(link: { uploadId: string; secret: string }, bytes: Uint8Array): Promise<string> {
  const page = await openUpload(link.uploadId, link.secret, deps);
  const key = page.form.fields.key ?? '';
  documents.objects.set(key, bytes);
  return key;
}

const refusedWith = (status: number) => expect.objectContaining({ name: 'UploadRefusedError', status });

describe('the vendor uploads the signed DPA', () => {
  it('keeps the PDF under its final key, with its SHA-256, in the evidence and the audit trail', async () => {
    const link = await newLink();
    const bytes = pdf();
    const key = await browserUpload(link, bytes);

    const received = await receiveUpload(link.uploadId, link.secret, key, deps);

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(received.evidence).toMatchObject({
      kind: 'dpa',
      sha256,
      bytes: bytes.length,
      requestId: REQUEST_ID,
    });
    expect(documents.objects.get(received.evidence.key)).toEqual(bytes);
    expect(documents.objects.has(key)).toBe(false);
    expect(await table.store.getEvidence(received.evidence.documentId)).toMatchObject({ sha256 });
    const audit = (await table.store.listAudit(REQUEST_ID)).filter((e) => e.type === 'DOCUMENT_RECEIVED');
    expect(audit.at(-1)?.detail).toMatchObject({ documentId: received.evidence.documentId, sha256 });
  });

  it('finishes the same upload again without a second record (a reload, or a crash before the evidence)', async () => {
    const link = await newLink();
    const key = await browserUpload(link, pdf());
    const first = await receiveUpload(link.uploadId, link.secret, key, deps);
    const again = await receiveUpload(link.uploadId, link.secret, key, deps);
    expect(again.evidence.documentId).toBe(first.evidence.documentId);
    const audits = (await table.store.listAudit(REQUEST_ID)).filter(
      (e) => e.detail?.documentId === first.evidence.documentId,
    );
    expect(audits).toHaveLength(1);
  });

  it('keeps a PDF with a script or an embedded file, flagged for the reviewer', async () => {
    const link = await newLink();
    const key = await browserUpload(link, pdf('/Names << /JavaScript 2 0 R /EmbeddedFiles 3 0 R >>'));
    const received = await receiveUpload(link.uploadId, link.secret, key, deps);
    expect(received.evidence.flags).toEqual(['contains JavaScript', 'contains an embedded file']);
  });

  it('uses its own key whatever the file was called (a path in the file name changes nothing)', async () => {
    const link = await newLink();
    const page = await openUpload(link.uploadId, link.secret, deps);
    expect(page.form.fields.key).toMatch(new RegExp(`^incoming/${link.uploadId}/[\\w-]{16}$`));
    await expect(receiveUpload(link.uploadId, link.secret, '../../etc/passwd.pdf', deps)).rejects.toEqual(
      refusedWith(400),
    );
    await expect(
      receiveUpload(link.uploadId, link.secret, `incoming/${link.uploadId}/../../other`, deps),
    ).rejects.toEqual(refusedWith(400));
  });
});

describe('bad input: refused with a clear status, nothing kept, the link still usable', () => {
  it.each([
    // The title names the file and the status only: printed, a 10 MB file is 10 MB of test log.
    ['a text file named .pdf', 415, Buffer.from('Signed by me. Not a PDF at all.')],
    ['an HTML page', 415, Buffer.from('<html><body>%PDF-1.7</body></html>')],
    ['an empty file', 415, Buffer.alloc(0)],
    ['10 MB + 1 byte', 413, Buffer.concat([pdf(), Buffer.alloc(MAX_DOCUMENT_BYTES + 1 - pdf().length)])],
  ])('%s → %i', async (_what, status, bytes) => {
    const link = await newLink();
    const key = await browserUpload(link, bytes);

    await expect(receiveUpload(link.uploadId, link.secret, key, deps)).rejects.toEqual(refusedWith(status));

    expect(documents.objects.size).toBe(0);
    expect((await table.store.getUploadLink(link.uploadId))?.status).toBe('OPEN');
    // The vendor tries again with the right file.
    const retry = await browserUpload(link, pdf());
    await expect(receiveUpload(link.uploadId, link.secret, retry, deps)).resolves.toBeDefined();
  });

  it('a replayed link answers 409 on its page and for a second upload, keeping only the first', async () => {
    const link = await newLink();
    const first = await browserUpload(link, pdf());
    await receiveUpload(link.uploadId, link.secret, first, deps);
    await expect(openUpload(link.uploadId, link.secret, deps)).rejects.toEqual(refusedWith(409));
    const second = `incoming/${link.uploadId}/another-upload-x`;
    documents.objects.set(second, pdf('/Other true'));
    await expect(receiveUpload(link.uploadId, link.secret, second, deps)).rejects.toEqual(refusedWith(409));
    expect(documents.objects.has(second)).toBe(false);
  });

  it('an expired link answers 410 and keeps nothing', async () => {
    const link = await newLink();
    const key = await browserUpload(link, pdf());
    clock = new Date('2026-12-19T10:00:01.000Z');
    await expect(openUpload(link.uploadId, link.secret, deps)).rejects.toEqual(refusedWith(410));
    await expect(receiveUpload(link.uploadId, link.secret, key, deps)).rejects.toEqual(refusedWith(410));
    expect(documents.objects.size).toBe(0);
  });

  it('a wrong secret is 403 and an unknown link 404', async () => {
    const link = await newLink();
    await expect(openUpload(link.uploadId, 'x'.repeat(43), deps)).rejects.toEqual(refusedWith(403));
    await expect(openUpload(link.uploadId, undefined, deps)).rejects.toEqual(refusedWith(403));
    await expect(openUpload('A'.repeat(22), link.secret, deps)).rejects.toEqual(refusedWith(404));
    await expect(openUpload('not an id', link.secret, deps)).rejects.toEqual(refusedWith(404));
  });

  it('two uploads at once on one link: one is kept, the other answers 409 and leaves nothing', async () => {
    const link = await newLink();
    const a = await browserUpload(link, pdf('/A true'));
    const b = await browserUpload(link, pdf('/B true'));
    const results = await Promise.allSettled([
      receiveUpload(link.uploadId, link.secret, a, deps),
      receiveUpload(link.uploadId, link.secret, b, deps),
    ]);
    const kept = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(kept).toHaveLength(1);
    expect(refused).toEqual([expect.objectContaining({ reason: refusedWith(409) })]);
    // Only the winner's document remains.
    expect([...documents.objects.keys()].filter((k) => k.startsWith('documents/'))).toHaveLength(1);
    expect([...documents.objects.keys()].filter((k) => k.startsWith('incoming/'))).toHaveLength(0);
  });
});

describe('what counts as a PDF', () => {
  it('looks at the content: the header within the first 1,024 bytes and the end-of-file marker', () => {
    expect(checkPdf(Buffer.concat([Buffer.alloc(100, 0x20), pdf()]))).toEqual({ ok: true, flags: [] });
    expect(checkPdf(Buffer.from('%PDF-1.7 but cut short')).ok).toBe(false);
    expect(checkPdf(Buffer.concat([Buffer.alloc(2000, 0x20), pdf()])).ok).toBe(false);
  });
});
