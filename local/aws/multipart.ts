/**
 * `multipart/form-data` (RFC 7578) read from the body's bytes: a browser's upload form holds text
 * fields and one file whose bytes may be anything, so the parts are cut out of the Buffer by their
 * boundary and never decoded as text. Only the part headers are text.
 */

export interface FormPart {
  /** The field's name (`Content-Disposition: form-data; name="…"`). */
  name: string;
  /** Present on a file part (`filename="…"`), possibly empty. */
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/** The boundary a `multipart/form-data` Content-Type names, or undefined for any other type. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The parts in their order, or undefined when the body is not well-formed for `boundary`. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  // A part's data ends where CRLF and the next delimiter begin.
  const nextDelimiter = Buffer.concat([CRLF, delimiter]);
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  const parts: FormPart[] = [];
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    if (!body.subarray(at, at + 2).equals(CRLF)) return undefined;
    const headersEnd = body.indexOf(HEADERS_END, at + 2);
    if (headersEnd < 0) return undefined;
    const dataStart = headersEnd + HEADERS_END.length;
    const dataEnd = body.indexOf(nextDelimiter, dataStart);
    if (dataEnd < 0) return undefined;
    const part = partOf(
      body.subarray(at + 2, headersEnd).toString('utf8'),
      body.subarray(dataStart, dataEnd),
    );
    if (!part) return undefined;
    parts.push(part);
    at = dataEnd + CRLF.length;
  }
}

function partOf(headerText: string, data: Buffer): FormPart | undefined {
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  const name = parameterOf(disposition, 'name');
  if (!/^form-data\s*;/i.test(disposition) || name === undefined) return undefined;
  const fileName = parameterOf(disposition, 'filename');
  const contentType = headers.get('content-type');
  return {
    name,
    data,
    ...(fileName !== undefined ? { fileName } : {}),
    ...(contentType !== undefined ? { contentType } : {}),
  };
}

/** `name="value"` (browsers percent-encode a quote in it) or `name=token` of a header's parameters. */
function parameterOf(header: string, parameter: string): string | undefined {
  const match = new RegExp(`;\\s*${parameter}=(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').replaceAll('%22', '"');
}
