/**
 * A published agreement (cdk.json `publishAgreements`): only the signed DPA of a resource Approved now
 * is served; everything else answers 404 like an unknown id, so the route tells nothing else.
 */
import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '#shared/core/http/edge.ts';
import type { EvidenceRecord } from '#shared/evidence/index.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { type PublicAgreementDeps, publicAgreementEndpoint } from '#shared/transparency/public-endpoints.ts';
import type { RegistryEntry, RequestRecord } from '#shared/workflow/records.ts';

const REQUEST_ID = 'SR-20261205-PVB00001';
const DOCUMENT_ID = `${REQUEST_ID}.${'a'.repeat(22)}`;
const RESOURCE = { name: 'Fraction Lab', vendorName: 'Numeracy Co' };

function deps(over: {
  publish?: boolean;
  kind?: EvidenceRecord['kind'];
  status?: RegistryEntry['status'];
  requestId?: string;
}): PublicAgreementDeps {
  const evidence = {
    documentId: DOCUMENT_ID,
    requestId: REQUEST_ID,
    kind: over.kind ?? 'dpa',
    key: 'documents/x.pdf',
  };
  const entry = {
    resourceId: resourceIdOf(RESOURCE),
    resourceName: RESOURCE.name,
    status: over.status ?? 'APPROVED',
    requestId: over.requestId ?? REQUEST_ID,
  };
  return {
    publishAgreements: over.publish ?? true,
    store: {
      getEvidence: async (id) => (id === DOCUMENT_ID ? (evidence as EvidenceRecord) : undefined),
      getRequest: async () => ({ requestId: REQUEST_ID, resource: RESOURCE }) as RequestRecord,
      getRegistryEntry: async (id) => (id === entry.resourceId ? (entry as RegistryEntry) : undefined),
    },
    documents: { downloadUrl: async (key) => `https://s3.example/${key}?signed` },
  };
}

const event = (documentId: string) => ({ pathParameters: { documentId } }) as unknown as HttpEvent;
const { run } = publicAgreementEndpoint(() => deps({}));

describe('GET /public/agreements/{documentId}', () => {
  it('sends the public to a short-lived download of the signed DPA of an approved resource', async () => {
    const res = await run(event(DOCUMENT_ID), deps({}));
    expect(res.statusCode).toBe(303);
    expect(res.headers?.Location).toBe('https://s3.example/documents/x.pdf?signed');
  });

  it.each([
    ['the district does not publish agreements', { publish: false }],
    ['the document is not a DPA (a policy snapshot)', { kind: 'privacy-policy' as const }],
    ['the resource is Not Approved now', { status: 'NOT_APPROVED' as const }],
    ["the registry entry is another request's", { requestId: 'SR-20261205-PVB00002' }],
  ])('404 when %s', async (_why, over) => {
    await expect(run(event(DOCUMENT_ID), deps(over))).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('404 for an unknown document', async () => {
    await expect(run(event(`${REQUEST_ID}.${'b'.repeat(22)}`), deps({}))).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });
});
