/**
 * A kept document goes out as a short-lived download (a presigned S3 GET in AWS), never through a
 * Lambda: for staff (GET /documents/{id}) and for a published agreement (GET /public/agreements/{id}).
 */
import type { HttpResponse } from '../core/http/edge.ts';
import type { DocumentStore } from './types.ts';

export type DownloadDocuments = Pick<DocumentStore, 'downloadUrl'>;

/** A download address lives this long: enough to open it, too short to share it usefully. */
export const DOWNLOAD_SECONDS = 300;

/** 303 to a short-lived download of a kept document (a presigned S3 GET in AWS). */
export async function downloadRedirect(
  documents: DownloadDocuments,
  key: string,
  fileName: string,
): Promise<HttpResponse> {
  const location = await documents.downloadUrl(key, fileName, DOWNLOAD_SECONDS);
  return {
    statusCode: 303,
    headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
    body: '',
  };
}
