/**
 * Evidence (docs/design.md "Evidence"): the documents decisions rest on (signed DPAs, privacy-policy
 * snapshots, deletion certificates), their upload links, and the document store where their bytes are
 * kept. What other features, handlers and the local runtime may use; handlers import a file directly
 * (lean bundles).
 */
export {
  attachmentDisposition,
  DEFAULT_CONTENT_TYPE,
  documentKeyProblem,
  documentStoreFor,
  MAX_PRESIGNED_SECONDS,
  MAX_UPLOAD_BYTES,
  readDocumentsBucket,
  s3DocumentStore,
} from './document-store.ts';
export { DOWNLOAD_SECONDS, type DownloadDocuments, downloadRedirect } from './download.ts';
export { type DocumentOperation, DocumentStoreError } from './errors.ts';
export {
  documentPath,
  EVIDENCE_KIND_LABELS,
  type EvidenceFailure,
  type EvidenceKind,
  type EvidenceRecord,
  EvidenceStore,
} from './evidence.ts';
export { keepPolicySnapshots, SnapshotStore } from './policy-snapshots.ts';
export type { DocumentStore, StoredDocument, UploadForm, UploadFormInput } from './types.ts';
export { type UploadLinkStore, uploadLink } from './upload-links.ts';
export type { VendorPageFetcher, VendorPageResult } from './vendor-page.ts';
