/**
 * GET /uploads/{uploadId}/received?t=<secret>&key=…: where the document store sends the vendor's
 * browser after storing the file. The file is checked by content (a PDF of at most 10 MB: 415, 413
 * otherwise), kept under its final key, the link claimed once (409 for a second upload), and the
 * request's evidence and audit trail name it with its SHA-256. Safe to run again for the same upload.
 *
 * Env: TABLE_NAME, PUBLIC_BASE_URL, DOCUMENTS_BUCKET.
 * IAM: the table (shared/core/store/access.ts); s3:GetObject, PutObject, DeleteObject on the bucket.
 */
import { uploadDeps } from '#shared/deps.ts';
import { uploadReceivedEndpoint } from '#shared/evidence/endpoints.ts';

const endpoint = uploadReceivedEndpoint(uploadDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
