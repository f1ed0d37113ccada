/**
 * The API contract in docs/openapi.json is generated from the code (request schema, form, task kinds):
 * this is the CI check that the checked-in file is current and documents every SOP step 2 field.
 * When it fails after a deliberate change: `npm run openapi` and commit docs/openapi.json.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, routesOf } from '#shared/functions.ts';
import { resourceRequestSchema } from '#shared/workflow/request-schema.ts';
import { TASK_KINDS } from '#shared/workflow/task-kinds.ts';
import { buildOpenApiDocument, OPENAPI_PATH, renderOpenApi } from '../../../scripts/generate-openapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Json = Record<string, any>;

const checkedIn = readFileSync(OPENAPI_PATH, 'utf8');
const doc = JSON.parse(checkedIn) as Json;
const SCHEMA_FIELDS = Object.keys(resourceRequestSchema.shape);

describe('docs/openapi.json', () => {
  it('is exactly what `npm run openapi` generates now (run it and commit the file if this fails)', () => {
    expect(checkedIn).toBe(renderOpenApi());
  });

  it('is OpenAPI 3.1 and generating it twice gives the same text', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(renderOpenApi()).toBe(renderOpenApi());
  });

  it('documents every HTTP route of the product with its method', () => {
    for (const { method, path } of FUNCTIONS.flatMap(routesOf)) {
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
  });

  it('SOP 2: every request field is in the JSON body and the form body, with a description', () => {
    const json = doc.components.schemas.ResourceRequest;
    const form = doc.components.schemas.ResourceRequestForm;
    expect(Object.keys(json.properties)).toEqual(SCHEMA_FIELDS);
    expect(Object.keys(form.properties)).toEqual(SCHEMA_FIELDS);
    for (const field of SCHEMA_FIELDS) expect(json.properties[field].description).toMatch(/\w/);
    expect(json.required).not.toContain('resourceUrl');
    expect(json.required).not.toContain('studentDataElements');
  });

  it('documents the conditional rules the schema enforces with refinements', () => {
    const json = doc.components.schemas.ResourceRequest;
    const rules = (json.allOf as Json[]).map((rule) => ({ when: rule.if, require: rule.then }));
    expect(rules).toContainEqual({
      when: { properties: { studentDataShared: { const: true } }, required: ['studentDataShared'] },
      require: { required: ['studentDataElements'] },
    });
    expect(rules).toContainEqual({
      when: { properties: { resourceKind: { const: 'web-service' } }, required: ['resourceKind'] },
      require: { required: ['resourceUrl'] },
    });
    expect(json.description).toMatch(/studentDataShared/);
    expect(json.properties.resourceUrl.description).toMatch(/web-service/);
  });

  it('POST /requests documents JSON and form bodies, Idempotency-Key and every answer', () => {
    const post = doc.paths['/requests'].post;
    expect(Object.keys(post.requestBody.content)).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(post.parameters[0]).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(['200', '201', '303', '400', '422', '503']),
    );
  });

  it('POST /tasks/{taskId} documents t, decision, comment, decidedBy, every outcome and the kind extras', () => {
    const form = doc.components.schemas.TaskDecisionForm;
    for (const field of [
      't',
      'decision',
      'comment',
      'decidedBy',
      'studentDataRequired',
      'vendorContactEmail',
      'dpaExpiresOn',
      'poNumber',
      'amount',
      'quoteReference',
      'licenseReference',
      'seats',
      'expiresOn',
      'resourceName',
    ])
      expect(form.properties, field).toHaveProperty(field);
    const outcomes = Object.entries(TASK_KINDS)
      .filter(([kind]) => kind !== 'answer')
      .flatMap(([, k]) => [...k.outcomes]);
    expect(form.properties.decision.enum).toEqual(expect.arrayContaining(outcomes));
    expect(doc.paths['/tasks/{taskId}'].get.parameters[0]).toMatchObject({
      name: 't',
      in: 'query',
      required: true,
    });
  });

  it('the builder returns a plain document (no undefined values lost on the way to JSON)', () => {
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument()))).toEqual(doc);
  });
});
