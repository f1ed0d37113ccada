/**
 * GET /documents/{documentId}: a kept document (a signed DPA, a policy snapshot) for district staff:
 * 303 to a download address valid 5 minutes (a presigned S3 GET). With sign-in, members of any team;
 * in link mode, with the emailed task link of the document's own request (`?task=&t=`).
 *
 * Env: IDENTITY_ENV, TABLE_NAME, DOCUMENTS_BUCKET.
 * IAM: the table (shared/core/store/access.ts); s3:GetObject on the bucket; the session key.
 */
import { documentDeps } from '#shared/deps.ts';
import { documentEndpoint } from '#shared/evidence/endpoints.ts';

const endpoint = documentEndpoint(documentDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
