/**
 * The vendor's upload page and its answers. The form posts to the document store itself (another
 * origin in AWS: the page's CSP allows exactly that form action), with the file input last, as S3's
 * POST requires. A small script refuses a file over 10 MB before sending it (the store would refuse it
 * too, but with its own terse page); without scripts the store's limit still holds.
 */
import { html } from '../../core/html/html.ts';
import { messagePage, page } from '../../core/html/layout.ts';
import { pageScript } from '../../core/html/page-scripts.ts';
import type { ReceivedView, UploadPageView } from '../uploads.ts';

const WHAT = {
  dpa: 'the signed student Data Privacy Agreement (DPA)',
  'deletion-certificate': 'the certificate of data destruction',
} as const;

const SIZE_CHECK = pageScript(
  "document.querySelector('form[data-max]')?.addEventListener('submit',function(e){var f=this.querySelector('input[type=file]').files[0];var n=document.getElementById('file-error');if(f&&f.size>Number(this.dataset.max)){e.preventDefault();n.textContent='This file is larger than 10 MB. Please upload a smaller PDF.';n.hidden=false;}});",
);

export function renderUploadPage(view: UploadPageView): string {
  const what = WHAT[view.link.kind];
  const body = html`<h1>Upload ${what}</h1>
<dl>
${view.resourceName ? html`<dt>Resource</dt><dd>${view.resourceName}</dd>` : ''}
${view.vendorName ? html`<dt>Vendor</dt><dd>${view.vendorName}</dd>` : ''}
<dt>District reference</dt><dd>${view.link.requestId}</dd>
<dt>Link valid until</dt><dd>${view.link.expiresAt.slice(0, 10)}</dd>
</dl>
<p>Please upload ${what} as <strong>one PDF file of at most 10 MB</strong>. This link works once: after the upload it cannot be used again.</p>
<form method="post" action="${view.form.url}" enctype="multipart/form-data" data-max="${String(view.maxBytes)}">
${Object.entries(view.form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label for="document">PDF file</label>
<input id="document" type="file" name="file" accept="application/pdf,.pdf" required aria-describedby="file-hint file-error">
<p id="file-hint" class="hint">PDF only, at most 10 MB.</p>
<p id="file-error" class="error" role="alert" hidden></p>
<button type="submit">Upload the document</button>
</form>`;
  return page({ title: `Upload ${what}`, body, scripts: [SIZE_CHECK] });
}

export function renderReceivedPage(view: ReceivedView): string {
  const what = WHAT[view.link.kind];
  return messagePage('Thank you: document received', [
    html`We received ${what} for district reference <strong>${view.link.requestId}</strong>.`,
    html`SHA-256 fingerprint of the file: <code>${view.evidence.sha256}</code>`,
    "The district's Cybersecurity team will review it; you do not need to send it again.",
  ]);
}
