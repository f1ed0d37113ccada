/**
 * GET /public/agreements/{documentId}: the signed agreement of an approved resource, when the district
 * publishes agreements (cdk.json `publishAgreements`; Illinois and Colorado ask for a copy of each):
 * 303 to a 5-minute download. Anything not published answers 404.
 *
 * Env: TABLE_NAME, PUBLISH_AGREEMENTS, DOCUMENTS_BUCKET. IAM: the table; s3:GetObject on documents/.
 */
import { publicAgreementDeps } from '#shared/deps.ts';
import { publicAgreementEndpoint } from '#shared/transparency/public-endpoints.ts';

const endpoint = publicAgreementEndpoint(publicAgreementDeps);

export const run = endpoint.run;
export const handler = endpoint.handler;
