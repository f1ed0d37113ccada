/**
 * Evidence documents (signed DPAs, privacy-policy snapshots, deletion certificates): where they are
 * kept and how a browser uploads and downloads them. What other features, handlers and the local
 * runtime may use.
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
export { type DocumentOperation, DocumentStoreError } from './errors.ts';
export type { DocumentStore, StoredDocument, UploadForm, UploadFormInput } from './types.ts';
