/**
 * A vendor returns a document through its upload link (docs/design.md "Evidence"):
 *
 *   GET /uploads/{id}?t=…           the page: what is asked, and a form that posts the file straight to
 *                                   the document store (an S3 presigned POST in AWS, limited to this
 *                                   one key and 1 byte … 10 MB; the local S3 stand-in keeps the rules)
 *   GET /uploads/{id}/received?t=…  where the store sends the browser after storing it: the document is
 *                                   checked by content (a PDF, ≤ 10 MB), kept under its final key, and
 *                                   the link claimed by a conditional write; then the request's
 *                                   evidence and audit trail name it with its SHA-256.
 *
 * The file never passes through a Lambda (API Gateway and Lambda cap a request at 10 and 6 MB). The
 * second step only reads what the first stored, so it is safe to run again: the page reloaded after a
 * crash finishes the same upload, and a second upload on the same link loses the claim (409) and
 * leaves nothing behind. A document is written whole or not at all (S3; locally a temp file renamed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { LinkRefusedError, type Refusal } from '../core/errors.ts';
import type { RequestStore } from '../requests/index.ts';
import { hashSecret } from '../tasks/index.ts';
import type { EvidenceRecord, EvidenceStore } from './evidence.ts';
import { checkPdf, MAX_DOCUMENT_BYTES } from './pdf.ts';
import { checkUploadLink, type UploadLinkRecord, type UploadLinkStore, uploadPath } from './upload-links.ts';

/** What the upload steps need of the document store (shared/evidence/document-store.ts). */
export interface UploadDocuments {
  uploadForm(input: {
    key: string;
    maxBytes: number;
    redirectTo: string;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  sizeOf(key: string): Promise<number | undefined>;
  read(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  remove(key: string): Promise<void>;
}

export interface UploadDeps {
  uploads: Pick<UploadLinkStore, 'getUploadLink' | 'claimUploadLink'>;
  evidence: Pick<EvidenceStore, 'addEvidence'>;
  store: Pick<RequestStore, 'appendAudit' | 'listAudit' | 'getRequest'>;
  documents: UploadDocuments;
  publicBaseUrl: string;
  now: () => Date;
}

/** An upload link that cannot take a document now; `status` is the page's HTTP status. */
export class UploadRefusedError extends LinkRefusedError<400 | 403 | 404 | 409 | 410 | 413 | 415> {
  override name = 'UploadRefusedError';
}

const REFUSALS = {
  'not-found': [
    404,
    'Upload link not found',
    'This upload link does not exist. Please use the link from the email.',
  ],
  forbidden: [
    403,
    'This link is not valid',
    'The link is incomplete or was changed. Please use the link exactly as emailed.',
  ],
  used: [
    409,
    'Already received',
    'A document was already received through this link. If it was the wrong file, reply to the email and the Cybersecurity team will help.',
  ],
  expired: [
    410,
    'This link has expired',
    'This upload link has expired. Please reply to the email and ask the Cybersecurity team for a new one.',
  ],
  'nothing-arrived': [
    400,
    'No document arrived',
    'No file came with this upload. Please go back and choose the PDF again.',
  ],
} as const satisfies Record<string, Refusal>;

function refuse(state: keyof typeof REFUSALS): never {
  throw new UploadRefusedError(REFUSALS[state]);
}

/** The form's lifetime: long enough to choose a file and send 10 MB on a slow line. */
const FORM_SECONDS = 3600;

export interface UploadPageView {
  link: UploadLinkRecord;
  resourceName: string;
  vendorName: string;
  form: { url: string; fields: Record<string, string> };
  maxBytes: number;
}

/** GET /uploads/{id}: the link must be open; the form may store exactly one new key. */
export async function openUpload(
  uploadId: string,
  secret: string | undefined,
  deps: UploadDeps,
): Promise<UploadPageView> {
  const checked = await checkUploadLink(uploadId, secret, deps);
  if (checked.state !== 'open') refuse(checked.state);
  const nonce = randomBytes(12).toString('base64url');
  const received = new URL(`${deps.publicBaseUrl.replace(/\/+$/, '')}${uploadPath(uploadId)}/received`);
  received.searchParams.set('t', secret ?? '');
  const form = await deps.documents.uploadForm({
    key: `${incomingPrefix(uploadId)}${nonce}`,
    maxBytes: MAX_DOCUMENT_BYTES,
    redirectTo: received.toString(),
    expiresInSeconds: FORM_SECONDS,
  });
  const request = await deps.store.getRequest(checked.link.requestId);
  return {
    link: checked.link,
    resourceName: request?.resource.name ?? '',
    vendorName: request?.resource.vendorName ?? '',
    form,
    maxBytes: MAX_DOCUMENT_BYTES,
  };
}

const incomingPrefix = (uploadId: string) => `incoming/${uploadId}/`;

/** One document per link: its id names the request and the link (evidence.ts DOCUMENT_ID). */
const documentIdOf = (link: Pick<UploadLinkRecord, 'requestId' | 'uploadId'>) =>
  `${link.requestId}.${link.uploadId}`;

/** Where an upload is kept: named by its incoming key, so two racing uploads never share a file. */
const keptKeyOf = (link: Pick<UploadLinkRecord, 'requestId' | 'uploadId'>, incomingKey: string) =>
  `documents/${link.requestId}/${link.uploadId}-${incomingKey.slice(incomingPrefix(link.uploadId).length)}.pdf`;

export interface ReceivedView {
  link: UploadLinkRecord;
  evidence: EvidenceRecord;
}

/** GET /uploads/{id}/received?key=…: check what the store holds, keep it, claim the link. */
export async function receiveUpload(
  uploadId: string,
  secret: string | undefined,
  key: string | undefined,
  deps: UploadDeps,
): Promise<ReceivedView> {
  const checked = await checkUploadLink(uploadId, secret, deps);
  if (checked.state === 'not-found' || checked.state === 'forbidden') refuse(checked.state);
  if (!key?.startsWith(incomingPrefix(uploadId)) || key.includes('..')) {
    refuse('nothing-arrived');
  }
  const link = checked.link;
  // The same upload again (a reload, or a crash before the evidence was written): finish it.
  if (checked.state === 'used' && link.receivedKey === key) return finish(link, deps);
  if (checked.state !== 'open') {
    await deps.documents.remove(key);
    refuse(checked.state);
  }
  const stored = await deps.documents.read(key);
  if (!stored) {
    refuse('nothing-arrived');
  }
  const pdf = checkPdf(stored.bytes);
  if (!pdf.ok) {
    await deps.documents.remove(key);
    const status = pdf.reason === 'too-large' ? 413 : 415;
    throw new UploadRefusedError([
      status,
      'This file cannot be accepted',
      `${pdf.message} Please upload the signed agreement as one PDF file of at most 10 MB.`,
    ]);
  }
  const documentId = documentIdOf(link);
  const finalKey = keptKeyOf(link, key);
  await deps.documents.put(finalKey, stored.bytes, 'application/pdf');
  const at = deps.now().toISOString();
  try {
    await deps.uploads.claimUploadLink(uploadId, {
      secretHash: hashSecret(secret ?? ''),
      receivedKey: key,
      documentId,
      at,
    });
  } catch (error) {
    // Another upload on this link won (or it expired meanwhile): keep nothing of this one.
    await deps.documents.remove(finalKey);
    await deps.documents.remove(key);
    const now = await checkUploadLink(uploadId, secret, deps);
    if (now.state === 'used' && now.link.receivedKey === key) return finish(now.link, deps);
    if (now.state !== 'expired' && now.state !== 'used') throw error;
    refuse(now.state);
  }
  const evidence = evidenceOf(link, { documentId, key: finalKey, at, bytes: stored.bytes, flags: pdf.flags });
  await deps.evidence.addEvidence(evidence);
  await auditOnce(evidence, link, deps);
  await deps.documents.remove(key);
  return { link: { ...link, status: 'RECEIVED', receivedKey: key, documentId, receivedAt: at }, evidence };
}

function evidenceOf(
  link: UploadLinkRecord,
  doc: { documentId: string; key: string; at: string; bytes: Uint8Array; flags: string[] },
): EvidenceRecord {
  return {
    requestId: link.requestId,
    documentId: doc.documentId,
    kind: link.kind,
    sha256: createHash('sha256').update(doc.bytes).digest('hex'),
    capturedAt: doc.at,
    bytes: doc.bytes.length,
    contentType: 'application/pdf',
    key: doc.key,
    by: { name: 'Vendor contact', email: link.sentTo, via: 'vendor-link' },
    ...(doc.flags.length ? { flags: doc.flags } : {}),
  };
}

/** A claimed upload whose evidence may not be written yet (a crash between the two): write it now. */
async function finish(link: UploadLinkRecord, deps: UploadDeps): Promise<ReceivedView> {
  const documentId = link.documentId ?? documentIdOf(link);
  const finalKey = keptKeyOf(link, link.receivedKey ?? '');
  const stored = await deps.documents.read(finalKey);
  if (!stored) refuse('used');
  const pdf = checkPdf(stored.bytes);
  const evidence = evidenceOf(link, {
    documentId,
    key: finalKey,
    at: link.receivedAt ?? deps.now().toISOString(),
    bytes: stored.bytes,
    flags: pdf.ok ? pdf.flags : [],
  });
  await deps.evidence.addEvidence(evidence);
  await auditOnce(evidence, link, deps);
  if (link.receivedKey) await deps.documents.remove(link.receivedKey);
  return { link, evidence };
}

const SOP_STEP = { dpa: 4, 'deletion-certificate': 17 } as const;

async function auditOnce(evidence: EvidenceRecord, link: UploadLinkRecord, deps: UploadDeps): Promise<void> {
  const events = await deps.store.listAudit(link.requestId);
  if (events.some((e) => e.type === 'DOCUMENT_RECEIVED' && e.detail?.documentId === evidence.documentId)) {
    return;
  }
  await deps.store.appendAudit({
    requestId: link.requestId,
    at: evidence.capturedAt,
    sopStep: SOP_STEP[link.kind],
    type: 'DOCUMENT_RECEIVED',
    summary:
      link.kind === 'dpa'
        ? 'The vendor returned the signed student Data Privacy Agreement through its upload link'
        : 'The vendor returned the certificate of data destruction through its upload link',
    actor: `Vendor contact (${link.sentTo})`,
    detail: {
      documentId: evidence.documentId,
      kind: evidence.kind,
      sha256: evidence.sha256,
      bytes: evidence.bytes,
      uploadedBy: evidence.by,
      ...(evidence.flags ? { flags: evidence.flags } : {}),
    },
  });
}
