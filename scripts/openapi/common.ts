/** Small builders shared by the OpenAPI schemas and routes. */
import { isRecord } from '#shared/core/guards.ts';

export type Json = Record<string, unknown>;

/** A schema with sub-schemas: each value a schema object (z.toJSONSchema writes no `true`/`false` ones). */
function isSchemaMap(value: unknown): value is Record<string, Json> {
  return isRecord(value) && Object.values(value).every(isRecord);
}

/** An object schema's properties. */
export function propertiesOf(schema: Json): Record<string, Json> {
  const properties = schema.properties;
  if (!isSchemaMap(properties)) throw new Error('Expected an object schema whose properties are schemas');
  return properties;
}

/** A schema's description, when it has one. */
export const descriptionOf = (schema: Json): string | undefined =>
  typeof schema.description === 'string' ? schema.description : undefined;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonBody = (schema: Json, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const htmlBody = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});
export const both = (schema: Json, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/html': { schema: { type: 'string' } } },
});

/** A request's status link, as the submit answers give it. */
export const STATUS_LINK = {
  type: 'string',
  format: 'uri',
  examples: ['https://requests.example.org/requests/SR-20260901-7K3M9QXA'],
};
