/**
 * Builds docs/openapi.json (OpenAPI 3.1) from the code that serves the API, so the document cannot
 * drift from it: the request bodies from the schemas the code validates with (scripts/openapi/
 * request-schemas.ts), the answers' schemas (scripts/openapi/response-schemas.ts) and the route table
 * (scripts/openapi/routes.ts). test/unit/scripts/openapi.test.ts fails when the checked-in file is stale.
 *
 *   npm run openapi      # rewrites docs/openapi.json
 *
 * Key order is the order this builder (and z.toJSONSchema) inserts keys in: deterministic, and it keeps
 * the fields in form order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fieldOf } from '#shared/core/guards.ts';
import type { Json } from './openapi/common.ts';
import { EVIDENCE_ROUTES } from './openapi/evidence-routes.ts';
import { IDENTITY_ROUTES, SECURITY_SCHEMES } from './openapi/identity-routes.ts';
import { REPORT_ROUTES } from './openapi/report-routes.ts';
import {
  replyAnswerFormSchema,
  resourceRequestFormSchema,
  resourceRequestJsonSchema,
  taskDecisionFormSchema,
} from './openapi/request-schemas.ts';
import { RESPONSE_SCHEMAS } from './openapi/response-schemas.ts';
import { PATH_PARAMETERS, ROUTES } from './openapi/routes.ts';

export {
  resourceRequestFormSchema,
  resourceRequestJsonSchema,
  taskDecisionFormSchema,
} from './openapi/request-schemas.ts';

export const OPENAPI_PATH = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** The paths object from the route table: a path's shared parameters first, then its methods in order. */
function pathsFromRoutes(): Record<string, Json> {
  const paths: Record<string, Json> = {};
  for (const route of [...ROUTES, ...IDENTITY_ROUTES, ...REPORT_ROUTES, ...EVIDENCE_ROUTES]) {
    const shared = PATH_PARAMETERS[route.path];
    const path = paths[route.path] ?? (shared ? { parameters: shared } : {});
    path[route.method] = route.operation;
    paths[route.path] = path;
  }
  return paths;
}

export function buildOpenApiDocument(): Json {
  const version = fieldOf(
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')),
    'version',
  );
  const request = resourceRequestJsonSchema();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Digital resource requests (TS-PE-535)',
      version,
      description:
        "The district's software and application approval procedure TS-PE-535. A teacher submits a request (SOP steps 1–2); a Step Functions execution named by the request id runs steps 3–17 with human tasks for Cybersecurity, Instructional Technology, DII and AAS. Browsers get HTML pages (Accept: text/html); API clients get JSON.",
    },
    tags: [
      { name: 'requests', description: 'SOP steps 1–2 and the status of every step' },
      { name: 'tasks', description: 'Human steps (SOP 4, 7–15): links emailed to the teams' },
      {
        name: 'replies',
        description: 'SOP 4: answers to a review question, by links emailed to the requester or the vendor',
      },
      { name: 'registry', description: 'SOP 6 and 16: the staff transparency list' },
      {
        name: 'reports',
        description: 'SOP section 4: how the procedure is doing, for Technology Services and the auditors',
      },
      {
        name: 'identity',
        description:
          'Signed-in people (AUTH_MODE=sso): sign-in, the team work queue. With sign-in, a team task link also needs a signed-in member of its team.',
      },
    ],
    paths: pathsFromRoutes(),
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: {
        ResourceRequest: request,
        ResourceRequestForm: resourceRequestFormSchema(request),
        ...RESPONSE_SCHEMAS,
        TaskDecisionForm: taskDecisionFormSchema(),
        ReplyAnswerForm: replyAnswerFormSchema(),
      },
    },
  };
}

/** The file's exact text: pretty-printed, newline-terminated. */
export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  console.log(`Wrote ${OPENAPI_PATH}`);
}
