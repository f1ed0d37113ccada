/**
 * What the district accepts as a signed agreement or certificate: a PDF, recognised by its content
 * (the `%PDF-` header within the first 1,024 bytes, as readers accept it, and an `%%EOF` marker near
 * the end), never by its name or the browser's content type. A PDF that carries script, an embedded
 * file or a launch action is kept, but flagged for the reviewer: vendors' signing tools add such
 * things, and refusing them would only send the agreement back to email.
 */

/** The largest document an upload link accepts (10 MiB). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export type PdfCheck =
  | { ok: true; flags: string[] }
  | { ok: false; reason: 'empty' | 'too-large' | 'not-pdf'; message: string };

const HEADER = Buffer.from('%PDF-');
const TRAILER = Buffer.from('%%EOF');

const FLAGS: readonly [RegExp, string][] = [
  [/\/(JavaScript|JS)\b/, 'contains JavaScript'],
  [/\/EmbeddedFiles?\b/, 'contains an embedded file'],
  [/\/Launch\b/, 'asks to launch a program'],
];

export function checkPdf(bytes: Uint8Array): PdfCheck {
  if (bytes.length === 0) return { ok: false, reason: 'empty', message: 'The file is empty.' };
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    return { ok: false, reason: 'too-large', message: 'The file is larger than 10 MB.' };
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const head = buffer.subarray(0, 1024);
  const tail = buffer.subarray(Math.max(0, buffer.length - 2048));
  if (!head.includes(HEADER) || !tail.includes(TRAILER)) {
    return { ok: false, reason: 'not-pdf', message: 'The file is not a PDF document.' };
  }
  // latin1 keeps every byte as one character: the PDF's names are ASCII whatever the content is.
  const text = buffer.toString('latin1');
  return { ok: true, flags: FLAGS.filter(([pattern]) => pattern.test(text)).map(([, flag]) => flag) };
}
