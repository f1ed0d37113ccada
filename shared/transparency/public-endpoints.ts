/**
 * GET /public, /public.json, /public.csv: the public list, with no sign-in in either mode (it shows
 * only what the district must publish: public-list.ts); GET /public/agreements/{id}: a published
 * agreement.
 */
import { NotFoundError } from '../core/errors.ts';
import { errorPage } from '../core/html/layout.ts';
import {
  csvResponse,
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
} from '../core/http/edge.ts';
import { type DownloadDocuments, downloadRedirect, type EvidenceStore } from '../evidence/index.ts';
import { type RegistryStore, resourceIdOf } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import { renderPublicPage } from './pages/public-page.ts';
import { type PublicList, type PublicListDeps, publicCsv, readPublicList } from './public-list.ts';

type Format = 'html' | 'json' | 'csv';

const answer: Record<Format, (list: PublicList) => HttpResponse> = {
  html: (list) => htmlResponse(200, renderPublicPage(list)),
  json: (list) => jsonResponse(200, list),
  csv: (list) => csvResponse(publicCsv(list), 'approved-resources.csv'),
};

export function publicListEndpoint(format: Format, defaultDeps: () => PublicListDeps) {
  const run = async (_event: HttpEvent, deps: PublicListDeps = defaultDeps()) =>
    answer[format](await readPublicList(deps));
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: errorPage }) };
}

export interface PublicAgreementDeps {
  store: Pick<EvidenceStore, 'getEvidence'> &
    Pick<RequestStore, 'getRequest'> &
    Pick<RegistryStore, 'getRegistryEntry'>;
  documents: DownloadDocuments;
  publishAgreements: boolean;
}

/**
 * GET /public/agreements/{documentId}: a published agreement (cdk.json `publishAgreements`), for the
 * public list's link. Only a signed DPA of a request whose resource is Approved now; anything else is
 * 404, as an unknown id, so the route tells nothing about documents it does not publish.
 */
export function publicAgreementEndpoint(defaultDeps: () => PublicAgreementDeps) {
  const run = async (event: HttpEvent, deps: PublicAgreementDeps = defaultDeps()): Promise<HttpResponse> => {
    const notPublished = new NotFoundError('This agreement is not published.');
    if (!deps.publishAgreements) throw notPublished;
    const evidence = await deps.store.getEvidence(event.pathParameters?.documentId ?? '');
    if (evidence?.kind !== 'dpa') throw notPublished;
    const request = await deps.store.getRequest(evidence.requestId);
    const entry = request
      ? await deps.store.getRegistryEntry(
          resourceIdOf({ name: request.resource.name, vendorName: request.resource.vendorName }),
        )
      : undefined;
    const approvedByThisRequest =
      entry?.status === 'APPROVED' &&
      (entry.requestId === evidence.requestId || (entry.requestIds ?? []).includes(evidence.requestId));
    if (!approvedByThisRequest) throw notPublished;
    return downloadRedirect(deps.documents, evidence.key, `${entry.resourceName}-DPA.pdf`);
  };
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: errorPage }) };
}
