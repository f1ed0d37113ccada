/**
 * GET /public, /public.json, /public.csv: the public list, with no sign-in in either mode (it shows
 * only what the district must publish: shared/registry/public-list.ts).
 */
import { messagePage } from '../core/html/layout.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
} from '../core/http/edge.ts';
import { renderPublicPage } from './pages/public-page.ts';
import { type PublicList, type PublicListDeps, publicCsv, readPublicList } from './public-list.ts';

type Format = 'html' | 'json' | 'csv';

const answer: Record<Format, (list: PublicList) => HttpResponse> = {
  html: (list) => htmlResponse(200, renderPublicPage(list)),
  json: (list) => jsonResponse(200, list),
  csv: (list) => ({
    statusCode: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="approved-resources.csv"',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body: publicCsv(list),
  }),
};

export function publicListEndpoint(format: Format, defaultDeps: () => PublicListDeps) {
  const run = async (_event: HttpEvent, deps: PublicListDeps = defaultDeps()) =>
    answer[format](await readPublicList(deps));
  const renderErrorPage = (view: { title: string; message: string }) =>
    messagePage(view.title, [view.message]);
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage }) };
}
