/**
 * GET / — SOP steps 1–2: the request form (every SOP step 2 field). No configuration, no AWS calls.
 */
import { type HttpEvent, type HttpResponse, htmlResponse, httpHandler } from '#shared/core/http/edge.ts';
import { renderRequestForm } from '#shared/requests/pages/request-form.ts';

export async function requestForm(_event?: HttpEvent): Promise<HttpResponse> {
  return htmlResponse(200, renderRequestForm());
}

export const handler = httpHandler(requestForm);
