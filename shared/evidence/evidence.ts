/**
 * Evidence: the documents a request's decisions rest on (docs/design.md "Evidence"): the signed DPA,
 * the privacy policy Cybersecurity reviewed, a deletion certificate. Each is an item in the request's
 * own partition (PK=REQUEST#id, SK=EVIDENCE#<documentId>), so whoever reads a request reads its
 * evidence, and the document's bytes live in the document store (S3 in AWS, files locally) under `key`.
 *
 * A document id names its request (`<requestId>.<random>`): GET /documents/{id} finds the item with
 * one read and needs no other index.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError } from '../core/errors.ts';
import { requestKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import { isRequestId } from '../workflow/index.ts';

export type EvidenceKind = 'dpa' | 'privacy-policy' | 'ssl-report' | 'deletion-certificate';

export const EVIDENCE_KIND_LABELS: Record<EvidenceKind, string> = {
  dpa: 'Signed student Data Privacy Agreement',
  'privacy-policy': 'Privacy policy as reviewed',
  'ssl-report': 'SSL Labs report',
  'deletion-certificate': 'Certificate of data destruction',
};

/** Who brought a document: a signed-in person, a vendor through an emailed link, or the workflow. */
export interface EvidenceSource {
  name: string;
  email: string | null;
  via: 'sso' | 'link' | 'vendor-link' | 'workflow';
}

export interface EvidenceRecord {
  requestId: string;
  documentId: string;
  kind: EvidenceKind;
  /** Hex SHA-256 of the stored bytes (a policy snapshot: of its readable text). */
  sha256: string;
  capturedAt: string;
  bytes: number;
  contentType: string;
  /** Where the bytes are in the document store. */
  key: string;
  by: EvidenceSource;
  /** The name the uploader's file had (display only; never a path). */
  fileName?: string;
  /** The web address a snapshot was taken from, and where its redirects ended. */
  url?: string;
  finalUrl?: string;
  /** What a reviewer should look at before relying on it, e.g. "contains JavaScript". */
  flags?: string[];
}

/** A policy address that could not be kept: recorded beside the evidence, never blocking the review. */
export interface EvidenceFailure {
  requestId: string;
  kind: EvidenceKind;
  url: string;
  at: string;
  code: string;
  message: string;
}

const DOCUMENT_ID = /^(SR-\d{8}-[0-9A-HJKMNP-TV-Z]{8})\.[A-Za-z0-9_-]{22}$/;

export function newDocumentId(requestId: string): string {
  return `${requestId}.${randomBytes(16).toString('base64url')}`;
}

/** The request a document id belongs to, or undefined when it is not a document id. */
export function requestOfDocument(documentId: unknown): string | undefined {
  if (typeof documentId !== 'string') return undefined;
  const match = DOCUMENT_ID.exec(documentId);
  return match?.[1] && isRequestId(match[1]) ? match[1] : undefined;
}

/** The page that serves a document to signed-in staff. */
export const documentPath = (documentId: string) => `/documents/${encodeURIComponent(documentId)}`;

const evidenceKey = (requestId: string, documentId: string) => ({
  PK: requestKey(requestId).PK,
  SK: `EVIDENCE#${documentId}`,
});

export class EvidenceStore {
  constructor(private readonly table: Table) {}

  /** Adds a document to the request's evidence; adding the same document again changes nothing. */
  async addEvidence(record: EvidenceRecord): Promise<void> {
    try {
      await this.table.putNew('Add evidence', {
        ...evidenceKey(record.requestId, record.documentId),
        entity: 'evidence',
        ...record,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** A policy address that could not be fetched, kept with the evidence (one item per address and time). */
  async addEvidenceFailure(failure: EvidenceFailure): Promise<void> {
    await this.table.put('Record evidence failure', {
      PK: requestKey(failure.requestId).PK,
      SK: `EVIDENCE-FAILED#${failure.at}#${failure.url.slice(0, 200)}`,
      entity: 'evidence-failure',
      ...failure,
    });
  }

  async getEvidence(documentId: string): Promise<EvidenceRecord | undefined> {
    const requestId = requestOfDocument(documentId);
    if (!requestId) return undefined;
    return this.table.get<EvidenceRecord>('Read evidence', evidenceKey(requestId, documentId));
  }

  /** The request's evidence, oldest first. */
  async listEvidence(requestId: string): Promise<EvidenceRecord[]> {
    const items = await this.table.queryAll<EvidenceRecord>('Read evidence', {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :evidence)',
      ExpressionAttributeValues: { ':pk': requestKey(requestId).PK, ':evidence': 'EVIDENCE#' },
    });
    return items.sort((a, b) => a.capturedAt.localeCompare(b.capturedAt));
  }

  async listEvidenceFailures(requestId: string): Promise<EvidenceFailure[]> {
    return this.table.queryAll<EvidenceFailure>('Read evidence failures', {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :failed)',
      ExpressionAttributeValues: { ':pk': requestKey(requestId).PK, ':failed': 'EVIDENCE-FAILED#' },
    });
  }
}
