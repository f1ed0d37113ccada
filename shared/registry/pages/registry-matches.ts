/**
 * SOP 1–2, the form hint: as the requester types the resource name, the request form lists the
 * registry entries that match (a plain `GET /registry?q=` asking for JSON) with their status, so a
 * resource already vetted in the district is recognised and named exactly as the registry names it.
 * The hint promises nothing: an Approved resource's vetting *may* be reused when it still covers the
 * new request (the backend decides, from the registry entry's evidence).
 *
 * Progressive enhancement only: without JavaScript the form has a plain link to the registry search,
 * and nothing else changes. The script never breaks the form: every failure (network, 4xx/5xx, a
 * response it does not understand) leaves the region empty. It builds the list with textContent, never
 * with markup from the data.
 *
 * The page CSP allows this script by its SHA-256 hash, as it does the live-status one
 * (shared/core/http/edge.ts).
 */
import { pageScript } from '../../core/html/page-scripts.ts';
import { statusLabel } from '../registry.ts';
import { MAX_QUERY_LENGTH } from '../registry-list.ts';

/** Element ids the script reads and writes (the form must render them). */
export const MATCH_IDS = { input: 'resourceName', vendor: 'vendorName', region: 'registry-matches' } as const;

/** Characters typed before the registry is searched. */
export const MIN_QUERY_CHARS = 2;
/** Matches listed under the field (the registry page has the rest). */
export const MATCHES_SHOWN = 5;
export const DEBOUNCE_MS = 300;

export const NO_MATCH_TEXT = 'No resource in the registry matches yet.';
export const REUSE_HINT =
  "An Approved resource's security vetting may be reused for your request when it still covers it; use the registry's exact name and vendor.";
export const USE_BUTTON_TEXT = 'Use this name and vendor';

const LABELS = { APPROVED: statusLabel('APPROVED'), NOT_APPROVED: statusLabel('NOT_APPROVED') };

/** The script's fixed strings, as a JS object literal (JSON: no markup, `<` escaped all the same). */
const CONFIG = JSON.stringify({
  labels: LABELS,
  maxQuery: MAX_QUERY_LENGTH,
  minChars: MIN_QUERY_CHARS,
  shown: MATCHES_SHOWN,
  wait: DEBOUNCE_MS,
  none: NO_MATCH_TEXT,
  hint: REUSE_HINT,
  use: USE_BUTTON_TEXT,
}).replaceAll('<', '\\u003c');

export const REGISTRY_MATCHES_SCRIPT = pageScript(`(function () {
  var input = document.getElementById('${MATCH_IDS.input}');
  var vendor = document.getElementById('${MATCH_IDS.vendor}');
  var region = document.getElementById('${MATCH_IDS.region}');
  if (!input || !region || !window.fetch || !window.AbortController) return;
  var c = ${CONFIG};
  var timer, controller, seq = 0, shown = '';
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function clear() {
    while (region.firstChild) region.removeChild(region.firstChild);
    shown = '';
  }
  function cancel() {
    clearTimeout(timer);
    seq++;
    if (controller) controller.abort();
    controller = undefined;
  }
  function queryOf(value) {
    var q = value.trim().slice(0, c.maxQuery);
    if (/[\\uD800-\\uDBFF]$/.test(q)) q = q.slice(0, -1);
    q = q.trim();
    return q.length >= c.minChars && /[\\p{L}\\p{N}]/u.test(q) ? q : '';
  }
  function text(value) {
    return typeof value === 'string' ? value : '';
  }
  function item(match, i) {
    var li = el('li');
    var id = 'registry-match-' + i;
    var link = el('a', text(match.resourceName));
    link.href = '/registry/' + encodeURIComponent(match.resourceId);
    link.id = id;
    li.appendChild(link);
    if (text(match.vendorName)) li.appendChild(document.createTextNode(' · ' + match.vendorName));
    if (c.labels.hasOwnProperty(match.status)) {
      li.appendChild(document.createTextNode(' · '));
      li.appendChild(el('span', c.labels[match.status], 'badge ' + match.status));
    }
    if (match.status === 'APPROVED') {
      var facts = [];
      if (text(match.dpaExpiresOn)) facts.push('DPA expires ' + match.dpaExpiresOn.slice(0, 10));
      if (text(match.sslGrade)) facts.push('SSL grade ' + match.sslGrade);
      if (facts.length) li.appendChild(document.createTextNode(' · ' + facts.join(' · ')));
    }
    if (vendor && text(match.resourceName) && text(match.vendorName)) {
      var use = el('button', c.use, 'secondary');
      use.type = 'button';
      use.setAttribute('aria-describedby', id);
      use.addEventListener('click', function () {
        input.value = match.resourceName;
        vendor.value = match.vendorName;
        vendor.focus();
      });
      li.appendChild(document.createTextNode(' '));
      li.appendChild(use);
    }
    return li;
  }
  function show(q, items) {
    clear();
    shown = q;
    var matches = items.filter(function (m) {
      return m && typeof m.resourceId === 'string' && text(m.resourceName);
    });
    if (!matches.length) {
      region.appendChild(el('p', c.none, 'hint'));
      return;
    }
    region.appendChild(el('p', 'In the resource registry:'));
    var list = el('ul');
    matches.slice(0, c.shown).forEach(function (m, i) { list.appendChild(item(m, i)); });
    region.appendChild(list);
    if (matches.length > c.shown) {
      var more = el('a', 'All matches in the registry');
      more.href = '/registry?q=' + encodeURIComponent(q);
      var p = el('p');
      p.appendChild(more);
      region.appendChild(p);
    }
    region.appendChild(el('p', c.hint, 'hint'));
  }
  function search(q) {
    var mine = ++seq;
    controller = new AbortController();
    fetch('/registry?q=' + encodeURIComponent(q), {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller.signal
    })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        if (mine !== seq) return;
        if (data && Array.isArray(data.items)) show(q, data.items); else clear();
      })
      .catch(function () { if (mine === seq) clear(); });
  }
  input.addEventListener('input', function () {
    var q = queryOf(input.value);
    if (q === shown && q) return cancel();
    cancel();
    if (!q) return clear();
    timer = setTimeout(function () { search(q); }, c.wait);
  });
})();`);
