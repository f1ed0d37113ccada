/**
 * The evidence routes: a vendor's upload link (GET /uploads/{id}, then /uploads/{id}/received after the
 * document store took the file) and GET /documents/{id}, which sends signed-in staff to a short-lived
 * download address (a presigned S3 GET in AWS). In link mode there is no sign-in: a document opens
 * with the emailed task link of its own request (`?task=<id>&t=<secret>`), as the DPA task page links it.
 */
import { NotFoundError } from '../core/errors.ts';
import { errorPage } from '../core/html/layout.ts';
import { type HttpEvent, type HttpResponse, htmlResponse, httpHandler, pageCsp } from '../core/http/edge.ts';
import { AccessDeniedError, type CallerDeps, isResponse, signedInOrSignIn } from '../identity/index.ts';
import { isTaskId, secretMatches, type TaskStore } from '../tasks/index.ts';
import { type DownloadDocuments, downloadRedirect } from './download.ts';
import type { EvidenceStore } from './evidence.ts';
import { renderReceivedPage, renderUploadPage } from './pages/upload-page.ts';
import { openUpload, type ReceivedView, receiveUpload, type UploadDeps } from './uploads.ts';

const query = (event: HttpEvent, name: string) => event.queryStringParameters?.[name] ?? undefined;

/** The page posts its form to the document store's origin: the CSP allows exactly that one. */
function withFormAction(page: string, formUrl: string): Record<string, string> {
  const origin = new URL(formUrl).origin;
  return {
    'Content-Security-Policy': pageCsp(page).replace("form-action 'self'", `form-action 'self' ${origin}`),
  };
}

export function uploadPageEndpoint(defaultDeps: () => UploadDeps) {
  const run = async (event: HttpEvent, deps: UploadDeps = defaultDeps()): Promise<HttpResponse> => {
    const view = await openUpload(event.pathParameters?.uploadId ?? '', query(event, 't'), deps);
    const page = renderUploadPage(view);
    return htmlResponse(200, page, withFormAction(page, view.form.url));
  };
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: errorPage }) };
}

/**
 * `afterReceived` runs once the document is kept (again on a reload of the page): what the document
 * settles elsewhere, e.g. the certificate of destruction deciding Cybersecurity's deletion task.
 */
export function uploadReceivedEndpoint(
  defaultDeps: () => UploadDeps,
  afterReceived?: (view: ReceivedView) => Promise<unknown>,
) {
  const run = async (event: HttpEvent, deps: UploadDeps = defaultDeps()): Promise<HttpResponse> => {
    const view = await receiveUpload(
      event.pathParameters?.uploadId ?? '',
      query(event, 't'),
      query(event, 'key'),
      deps,
    );
    await afterReceived?.(view);
    return htmlResponse(200, renderReceivedPage(view));
  };
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: errorPage }) };
}

export interface DocumentDeps {
  caller: CallerDeps;
  evidence: Pick<EvidenceStore, 'getEvidence'>;
  tasks: Pick<TaskStore, 'getTask'>;
  documents: DownloadDocuments;
}

export function documentEndpoint(defaultDeps: () => DocumentDeps) {
  const run = async (event: HttpEvent, deps: DocumentDeps = defaultDeps()): Promise<HttpResponse> => {
    const documentId = event.pathParameters?.documentId ?? '';
    const who = await signedInOrSignIn(event, deps.caller, `/documents/${encodeURIComponent(documentId)}`);
    if (isResponse(who)) return who;
    const evidence = await deps.evidence.getEvidence(documentId);
    if (!evidence) throw new NotFoundError('This document does not exist.');
    if (who) {
      if (who.person.teams.length === 0) throw new AccessDeniedError('not-staff');
    } else {
      const taskId = query(event, 'task') ?? '';
      const task = isTaskId(taskId) ? await deps.tasks.getTask(taskId) : undefined;
      if (
        !task ||
        task.requestId !== evidence.requestId ||
        !secretMatches(query(event, 't'), task.secretHash)
      ) {
        throw new AccessDeniedError('not-staff');
      }
    }
    const fileName = `${evidence.requestId}-${evidence.kind}.${evidence.contentType === 'application/pdf' ? 'pdf' : 'txt'}`;
    return downloadRedirect(deps.documents, evidence.key, fileName);
  };
  return { run, handler: httpHandler((event) => run(event)) };
}
