/**
 * The requester's status page: the status in words, what is happening now, and all 17 SOP steps
 * marked done / now / skipped / stopped / not reached, with the audit events under each step.
 * While the request is in review the page updates itself every 20 s (shared/requests/pages/live-status.ts: no
 * reload, an aria-live region, a Pause button, and a plain Reload link without JavaScript).
 */

import { html, type SafeHtml } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import type { ErrorView } from '../../core/http/edge.ts';
import type { RequestRecord, RequestStatus } from '../../workflow/index.ts';
import {
  isSslScanRunning,
  otherEvents,
  type RenewalView,
  type RequestView,
  type ReusedVettingView,
  type SslRemediationView,
  type StepProgress,
  type StepState,
  sopProgress,
  type TimelineEntry,
} from '../timeline.ts';
import { LIVE_IDS, LIVE_STATUS_SCRIPT } from './live-status.ts';

export const REFRESH_SECONDS = 20;

const STATUS_WORDS: Record<RequestStatus, string> = {
  IN_REVIEW: 'In review',
  APPROVED: 'Approved',
  DENIED: 'Not approved',
  ERROR: 'Stopped by a system error',
};

const RENEWAL_WORDS: Record<RenewalView['status'], string> = {
  RENEWED: 'Renewed',
  DUE: 'Renewal scheduled',
  IN_PROGRESS: 'Renewal in progress',
  LAPSED: 'Renewal lapsed: Not Approved',
};

/** SOP 17: whether the approval is current and when the next renewal is due. */
function renewalSection(r: RenewalView): SafeHtml {
  return html`<section class="card" aria-labelledby="renewal-title"><h2 id="renewal-title">Annual renewal (step 17)</h2>
<p><strong id="renewal-status">${RENEWAL_WORDS[r.status]}</strong></p>
<dl>${r.dueOn ? html`<dt>Next renewal due</dt><dd>${r.dueOn}</dd>` : ''}${
    r.lastRenewedAt ? html`<dt>Last renewed</dt><dd>${when(r.lastRenewedAt)}</dd>` : ''
  }${r.reason ? html`<dt>${r.status === 'LAPSED' ? 'Why it lapsed' : 'Note'}</dt><dd>${r.reason}</dd>` : ''}${
    r.renewedWith
      ? html`<dt>Renewed with</dt><dd><a href="${r.renewedWith}">Request ${r.renewedWith}</a></dd>`
      : ''
  }</dl></section>`;
}

/**
 * SOP 3-6 satisfied by an earlier request: which one, and the evidence reused. Links are relative (the
 * page is /requests/{id}, behind any API Gateway stage prefix).
 */
function reusedVettingSection(r: ReusedVettingView): SafeHtml {
  return html`<section class="card" aria-labelledby="reused-title"><h2 id="reused-title">Security vetting (steps 3–6) reused</h2>
<p>The resource already has a current security vetting in the district registry, so steps 3–6 were not repeated.</p>
<dl><dt>Vetted by</dt><dd><a href="${r.requestId}">Request ${r.requestId}</a> (approved ${when(r.approvedAt)})</dd>
<dt>Registry entry</dt><dd><a href="../registry/${r.resourceId}">Resource page</a></dd>
${r.dpaExpiresOn ? html`<dt>Signed DPA valid until</dt><dd>${r.dpaExpiresOn}</dd>` : ''}${
  r.sslTestedAt
    ? html`<dt>SSL grade</dt><dd>${r.sslGrade ?? 'A or better'} on ${r.websites.join(', ')}, tested ${when(r.sslTestedAt)}</dd>`
    : ''
}</dl></section>`;
}

/** SOP 5-6: the grades seen and the re-tests, while (and after) the vendor remediates. */
function remediationSection(s: SslRemediationView): SafeHtml {
  return html`<section class="card" aria-labelledby="ssl-title"><h2 id="ssl-title">SSL grade remediation</h2>
${s.waiting ? html`<p class="note" role="status">Waiting for the vendor to improve the SSL grade.</p>` : ''}
<dl><dt>Grades seen</dt><dd>${s.gradesSeen.join(', ')}</dd>
<dt>Re-tests</dt><dd>${s.retests} of at most ${s.maxRetests}</dd>
<dt>Remediation window ends</dt><dd>${when(s.windowEndsAt)}</dd>
${s.hosts.length ? html`<dt>Last grade per website</dt><dd><ul>${s.hosts.map((h) => html`<li>${h.host}: ${h.grade ?? 'no grade'}${h.passed ? ' (A or better)' : ''}</li>`)}</ul></dd>` : ''}</dl></section>`;
}

const STATE_WORDS: Record<StepState, string> = {
  done: 'Done',
  current: 'Now',
  skipped: 'Skipped: does not apply',
  stopped: 'Stopped here',
  'not-reached': 'Not reached',
};

const STEP_STYLE = html`<style>
ol.sop{list-style:none;padding:0}ol.sop>li{border-left:4px solid var(--line);padding:.25rem 0 .5rem .75rem;margin:.25rem 0}
ol.sop>li.done{border-color:var(--ok)}ol.sop>li.current{border-color:var(--accent);background:#eef5fc}
ol.sop>li.stopped{border-color:var(--bad);background:#fff5f5}ol.sop>li.skipped,ol.sop>li.not-reached{color:var(--muted)}
ol.sop .state{font-size:.85rem;font-weight:600}ol.sop ul{margin:.25rem 0 0;padding-left:1.25rem}.note{border-left:4px solid var(--accent);padding:.5rem .75rem;background:#eef5fc}
</style>`;

function when(iso: string): SafeHtml {
  const d = new Date(iso);
  const text = Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${iso}">${text}</time>`;
}

function events(list: readonly TimelineEntry[]): SafeHtml | string {
  if (!list.length) return '';
  return html`<ul>${list.map((e) => html`<li>${when(e.at)}: ${e.summary}</li>`)}</ul>`;
}

function stepItem(s: StepProgress, replacementRound: boolean): SafeHtml {
  const words =
    s.state === 'not-reached' && s.events.length && replacementRound
      ? 'To be repeated'
      : STATE_WORDS[s.state];
  return html`<li class="${s.state}"${s.state === 'current' ? html` aria-current="step"` : ''}>
<strong>${s.step}. ${s.title}</strong> <span class="hint">(${s.who})</span><br>
<span class="state">${words}</span>${events(s.events)}
</li>`;
}

export interface RequestStatusPageInput {
  view: RequestView;
  record: Pick<
    RequestRecord,
    'status' | 'currentStep' | 'deniedAtStep' | 'renewal' | 'replacementCount' | 'security'
  >;
}

export function renderRequestStatus({ view, record }: RequestStatusPageInput): string {
  const steps = sopProgress(record, view.timeline);
  const others = otherEvents(view.timeline);
  const inReview = view.status === 'IN_REVIEW';
  const now = html`<p>${view.currentActivity}</p>
${
  view.status === 'DENIED'
    ? html`<p>The request was not approved${view.deniedAtStep ? html` at step ${view.deniedAtStep}` : ''}${
        view.reason ? html`: ${view.reason}` : '.'
      }</p>`
    : ''
}${view.status === 'ERROR' && view.reason ? html`<p>${view.reason}</p>` : ''}${
  isSslScanRunning(record)
    ? html`<p class="note" role="status">SSL Labs test in progress — this can take several minutes.</p>`
    : ''
}`;
  const updates = inReview
    ? html`<p class="hint">While the request is in review this page checks for news every ${REFRESH_SECONDS} seconds. <a href="${view.requestId}">Reload the page</a>
<button type="button" class="secondary" id="${LIVE_IDS.pause}" aria-pressed="false" hidden>Pause automatic updates</button></p>`
    : '';

  const body = html`${STEP_STYLE}
<h1>Request ${view.requestId}</h1>
<div id="${LIVE_IDS.status}" aria-live="polite"${inReview ? html` data-update-seconds="${REFRESH_SECONDS}"` : ''}>
<p><span class="badge ${view.status}">${STATUS_WORDS[view.status]}</span></p>
<dl>
<dt>Resource</dt><dd>${view.resourceName}</dd>
<dt>Submitted</dt><dd>${when(view.submittedAt)}</dd>
<dt>Last update</dt><dd>${when(view.updatedAt)}</dd>
<dt>Current step</dt><dd>${view.currentStep} of 17</dd>
</dl>
<section class="card" aria-labelledby="now-title">
<h2 id="now-title">What is happening now</h2>
${now}
</section>
${view.reusedVetting ? reusedVettingSection(view.reusedVetting) : ''}
${view.renewal ? renewalSection(view.renewal) : ''}
${view.sslRemediation ? remediationSection(view.sslRemediation) : ''}
</div>
${updates}
<section id="${LIVE_IDS.steps}" aria-labelledby="steps-title">
<h2 id="steps-title">The approval procedure (TS-PE-535), step by step</h2>
<ol class="sop">${steps.map((s) => stepItem(s, record.replacementCount > 0))}</ol>
${others.length ? html`<h3>Other events</h3>${events(others)}` : ''}
</section>`;

  return page({
    title: `Request ${view.requestId}: ${STATUS_WORDS[view.status]}`,
    body,
    ...(inReview ? { scripts: [LIVE_STATUS_SCRIPT] } : {}),
  });
}

/** 400 / 404 / 5xx for the status page, in the same shell. */
export function renderStatusError(view: ErrorView): string {
  const body = html`<h1>${view.title}</h1>
<p>${view.message}</p>
${view.errors?.length ? html`<ul>${view.errors.map((e) => html`<li>${e.message}</li>`)}</ul>` : ''}
<p>Request numbers look like <code>SR-20260901-7K3M9QXA</code> and are in your acknowledgement email.</p>
<p><a href="/">Make a new request</a> · <a href="/registry">See approved resources</a></p>`;
  return page({ title: view.title, body });
}
