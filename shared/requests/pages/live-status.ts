/**
 * The status page keeps itself current without `<meta http-equiv="refresh">` (a full reload on a timer
 * fails WCAG 2.2.1/2.2.2: it moves focus and reading position, and cannot be paused). While a request
 * is in review this small script fetches the page again every few seconds and swaps in the parts that
 * changed; the status part is an `aria-live="polite"` region, so a screen reader announces news once.
 * A Pause button stops it; without JavaScript the page has a plain "Reload" link instead.
 *
 * The page CSP allows this script and no other, by its SHA-256 hash (shared/core/http/edge.ts).
 */
import { pageScript } from '../../core/html/page-scripts.ts';

/** Element ids the script updates (and the page must render). */
export const LIVE_IDS = { status: 'live-status', steps: 'steps', pause: 'pause-updates' } as const;

export const LIVE_STATUS_SCRIPT = pageScript(`(function () {
  var region = document.getElementById('${LIVE_IDS.status}');
  var button = document.getElementById('${LIVE_IDS.pause}');
  if (!region || !button || !window.fetch || !window.DOMParser) return;
  var every = Number(region.getAttribute('data-update-seconds')) * 1000;
  if (!(every > 0)) return;
  var paused = false;
  var timer;
  button.hidden = false;
  button.addEventListener('click', function () {
    paused = !paused;
    button.setAttribute('aria-pressed', String(paused));
    button.textContent = paused ? 'Resume automatic updates' : 'Pause automatic updates';
    if (paused) clearTimeout(timer); else schedule();
  });
  function schedule() {
    clearTimeout(timer);
    if (!paused) timer = setTimeout(update, every);
  }
  function update() {
    fetch(location.href, { headers: { accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html');
        ['${LIVE_IDS.status}', '${LIVE_IDS.steps}'].forEach(function (id) {
          var fresh = next.getElementById(id);
          var shown = document.getElementById(id);
          if (fresh && shown && fresh.innerHTML !== shown.innerHTML) shown.innerHTML = fresh.innerHTML;
        });
        if (next.title) document.title = next.title;
        var still = next.getElementById('${LIVE_IDS.status}');
        if (still && still.hasAttribute('data-update-seconds')) schedule();
        else button.hidden = true;
      })
      .catch(schedule);
  }
  schedule();
})();`);
