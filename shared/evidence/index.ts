/**
 * Evidence (docs/design.md "Evidence"): the documents decisions rest on, their upload links and the
 * document store. What other features may use of it; handlers import a file directly (lean bundles).
 */
export {
  documentPath,
  EVIDENCE_KIND_LABELS,
  type EvidenceFailure,
  type EvidenceKind,
  type EvidenceRecord,
  EvidenceStore,
} from './evidence.ts';
export { type UploadLinkStore, uploadLink } from './upload-links.ts';
