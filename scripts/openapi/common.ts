/** Small builders shared by the OpenAPI schemas and routes. */
export type Json = Record<string, unknown>;

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
