/**
 * Upload links (docs/design.md "Evidence"): the single-use address in a vendor's email through which
 * the signed DPA (or a certificate of data destruction) comes back. Same rules as task links
 * (shared/tasks/task-links.ts): a random id, a 256-bit secret of which only the hash is stored, an
 * expiry (the DPA wait's), accepted once by a conditional write.
 */
import { uploadKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import { hashSecret, isTaskId, newTaskId, newTaskSecret, secretMatches } from '../tasks/index.ts';

export type UploadKind = 'dpa' | 'deletion-certificate';

export interface UploadLinkRecord {
  uploadId: string;
  requestId: string;
  kind: UploadKind;
  /** SHA-256 of the link secret (base64url). */
  secretHash: string;
  /** Who the link was emailed to (the vendor's contact). */
  sentTo: string;
  createdAt: string;
  expiresAt: string;
  status: 'OPEN' | 'RECEIVED';
  /** Once RECEIVED: the upload that won (its incoming key), the document it became, and when. */
  receivedKey?: string;
  documentId?: string;
  receivedAt?: string;
}

/** What a presented upload link is: usable, or why not (each a clear page). */
export type UploadLinkState =
  | { state: 'open'; link: UploadLinkRecord }
  | { state: 'not-found' }
  | { state: 'forbidden' }
  | { state: 'used'; link: UploadLinkRecord }
  | { state: 'expired'; link: UploadLinkRecord };

/** How long an upload link's records stay after it expired (the evidence itself stays with the request). */
const UPLOAD_RETENTION_DAYS = 400;

export const uploadPath = (uploadId: string) => `/uploads/${encodeURIComponent(uploadId)}`;

export function uploadLink(publicBaseUrl: string, uploadId: string, secret: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${uploadPath(uploadId)}?t=${encodeURIComponent(secret)}`;
}

export class UploadLinkStore {
  constructor(private readonly table: Table) {}

  /** A new link for `requestId`; returns the secret, which only the email carries. */
  async createUploadLink(input: {
    requestId: string;
    kind: UploadKind;
    sentTo: string;
    expiresAt: string;
  }): Promise<{ uploadId: string; secret: string }> {
    const uploadId = newTaskId();
    const secret = newTaskSecret();
    const createdAt = this.table.now().toISOString();
    const record: UploadLinkRecord = {
      ...input,
      uploadId,
      secretHash: hashSecret(secret),
      createdAt,
      status: 'OPEN',
    };
    await this.table.putNew('Create upload link', {
      ...uploadKey(uploadId),
      entity: 'upload-link',
      expiresAtEpoch: this.table.expiresAtEpoch(UPLOAD_RETENTION_DAYS, new Date(input.expiresAt)),
      ...record,
    });
    return { uploadId, secret };
  }

  async getUploadLink(uploadId: string): Promise<UploadLinkRecord | undefined> {
    return isTaskId(uploadId)
      ? this.table.get<UploadLinkRecord>('Read upload link', uploadKey(uploadId))
      : undefined;
  }

  /**
   * The upload at `receivedKey` becomes the link's one document: only while OPEN, with this secret,
   * before expiry. The loser of two uploads at once (or a replay) gets ConflictError.
   */
  async claimUploadLink(
    uploadId: string,
    claim: { secretHash: string; receivedKey: string; documentId: string; at: string },
  ): Promise<void> {
    await this.table.update('Accept upload', {
      Key: uploadKey(uploadId),
      UpdateExpression: 'SET #status = :received, receivedKey = :key, documentId = :doc, receivedAt = :at',
      ConditionExpression: '#status = :open AND secretHash = :hash AND expiresAt > :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':received': 'RECEIVED',
        ':open': 'OPEN',
        ':key': claim.receivedKey,
        ':doc': claim.documentId,
        ':at': claim.at,
        ':hash': claim.secretHash,
      },
    });
  }
}

/** Checks a presented link: unknown, wrong secret, already used, expired, or open. */
export async function checkUploadLink(
  uploadId: string,
  secret: string | undefined,
  deps: { uploads: Pick<UploadLinkStore, 'getUploadLink'>; now: () => Date },
): Promise<UploadLinkState> {
  const link = await deps.uploads.getUploadLink(uploadId);
  if (!link) return { state: 'not-found' };
  if (!secretMatches(secret, link.secretHash)) return { state: 'forbidden' };
  if (link.status === 'RECEIVED') return { state: 'used', link };
  if (link.expiresAt <= deps.now().toISOString()) return { state: 'expired', link };
  return { state: 'open', link };
}
