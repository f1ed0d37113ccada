/**
 * GET /uploads/{uploadId}/received?t=<secret>&key=…: where the document store sends the vendor's
 * browser after storing the file. The file is checked by content (a PDF of at most 10 MB: 415, 413
 * otherwise), kept under its final key, the link claimed once (409 for a second upload), and the
 * request's evidence and audit trail name it with its SHA-256. Safe to run again for the same upload.
 * A certificate of destruction then settles Cybersecurity's deletion-confirmation task.
 *
 * Env: TABLE_NAME, PUBLIC_BASE_URL, DOCUMENTS_BUCKET.
 * IAM: the table (shared/core/store/access.ts); s3:GetObject, PutObject, DeleteObject on the bucket;
 * states:SendTaskSuccess on the resource-stewardship machine.
 */
import { sfn } from '#shared/core/aws/clients.ts';
import { now, store, uploadDeps } from '#shared/deps.ts';
import { uploadReceivedEndpoint } from '#shared/evidence/endpoints.ts';
import { confirmDeletionByUpload } from '#shared/stewardship/deletion.ts';

const endpoint = uploadReceivedEndpoint(uploadDeps, async ({ link, evidence }) => {
  if (link.kind !== 'deletion-certificate') return;
  await confirmDeletionByUpload(
    { requestId: link.requestId, sentTo: link.sentTo, documentId: evidence.documentId },
    { store: store(), sfn, now },
  );
});

export const run = endpoint.run;
export const handler = endpoint.handler;
