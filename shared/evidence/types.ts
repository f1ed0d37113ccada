/**
 * The evidence documents' shapes (signed DPAs, privacy-policy snapshots, deletion certificates): what
 * the document store takes and gives. Types only, so any file of the feature may import them.
 */

/**
 * A browser upload straight to the store: `<form method="post" enctype="multipart/form-data"
 * action={url}>` with `fields` as hidden inputs, then the file input named `file` LAST (S3 ignores
 * every field after the file).
 */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

export interface StoredDocument {
  bytes: Uint8Array;
  contentType: string;
}

export interface UploadFormInput {
  key: string;
  maxBytes: number;
  redirectTo: string;
  expiresInSeconds: number;
  /**
   * Stored as the document's Content-Type (a fixed hidden field the policy pins). Without it S3 keeps
   * `binary/octet-stream`, whatever the browser says of the file.
   */
  contentType?: string;
}

export interface DocumentStore {
  /**
   * A presigned POST: exactly this key, 1..maxBytes bytes (content-length-range), S3 redirects the
   * browser (303) to redirectTo (success_action_redirect) after storing, with `bucket`, `key` and
   * `etag` appended to its query.
   */
  uploadForm(input: UploadFormInput): Promise<UploadForm>;
  /** Size in bytes, or undefined when no such document (HeadObject). */
  sizeOf(key: string): Promise<number | undefined>;
  /** The whole document, or undefined when none. */
  read(key: string): Promise<StoredDocument | undefined>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /**
   * The document is gone for readers. The bucket is versioned: the bytes stay as a noncurrent version
   * until the retention rule expires them, so a mistaken removal of evidence can be undone.
   */
  remove(key: string): Promise<void>;
  /** A presigned GET valid expiresInSeconds, served with Content-Disposition attachment; filename=... */
  downloadUrl(key: string, fileName: string, expiresInSeconds: number): Promise<string>;
}
