/**
 * GET /uploads/{uploadId}?t=<secret>: a vendor's single-use upload link (docs/design.md "Evidence"):
 * what is asked, and a form that posts the signed PDF straight to the document store (a presigned
 * POST limited to one key and 10 MB). Only reads: unknown 404, wrong secret 403, used 409, expired 410.
 *
 * Env: TABLE_NAME, PUBLIC_BASE_URL, DOCUMENTS_BUCKET.
 * IAM: the table (shared/core/store/access.ts); s3:PutObject on incoming/* of the bucket (the presigned POST).
 */
import { uploadDeps } from '#shared/deps.ts';
import { uploadPageEndpoint } from '#shared/evidence/endpoints.ts';

const endpoint = uploadPageEndpoint(uploadDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
