/**
 * The page shell for every server-rendered page: accessible (WCAG 2.1 AA, checked with axe-core in the
 * browser tests), readable on a phone, usable without scripts (the status page's script only spares a
 * reload: shared/requests/pages/live-status.ts; the form's only lists registry matches:
 * shared/registry/pages/registry-matches.ts).
 * Pages build their body with `html``…``, which escapes every interpolated value.
 */

import { html, SafeHtml } from './html.ts';
import { type PageScript, scriptElement } from './page-scripts.ts';

const STYLE = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0b5cad;--ok:#1a7f37;--bad:#b42318;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
header{background:var(--accent);color:#fff;padding:.75rem 1rem}header a{color:#fff;text-decoration:none;font-weight:600}
header nav{display:flex;gap:1rem;flex-wrap:wrap;align-items:center}main{max-width:56rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25}a{color:var(--accent)}label{display:block;font-weight:600;margin-top:1rem}
input,select,textarea{width:100%;font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:6px}
input[type=checkbox],input[type=radio]{width:auto}fieldset{border:1px solid var(--line);border-radius:6px;margin-top:1rem}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:var(--accent);color:#fff;margin-top:1rem;cursor:pointer}
button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
.hint{color:var(--muted);font-size:.9rem}.error{color:var(--bad);font-weight:600}.ok{color:var(--ok)}
.errors{border:2px solid var(--bad);padding:.5rem 1rem;border-radius:6px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid var(--line);vertical-align:top}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-size:.85rem;font-weight:600;background:var(--bg)}
.badge.APPROVED{background:#dafbe1;color:var(--ok)}.badge.NOT_APPROVED,.badge.DENIED,.badge.ERROR{background:#ffebe9;color:var(--bad)}
.card{border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
@media (max-width:600px){dl{grid-template-columns:1fr}th,td{display:block;border:0}tr{display:block;border-bottom:1px solid var(--line)}}
`;

/**
 * `scripts`: the declared inline scripts the page carries (the status page's live status, the request
 * form's registry matches); the page's CSP allows exactly these.
 */
export function page(options: { title: string; body: SafeHtml; scripts?: readonly PageScript[] }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · Digital resource requests</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header><nav aria-label="Main"><a href="/">Request a digital resource</a><a href="/registry">Approved resources</a><a href="/my/requests">My requests</a><a href="/queue">Work queue</a></nav></header>
<main id="main">
${options.body}
</main>
${(options.scripts ?? []).map((script) => new SafeHtml(`${scriptElement(script)}\n`))}</body>
</html>`.value;
}

/** A page that says one thing: a title and its paragraphs (empty ones left out). */
export function messagePage(title: string, paragraphs: readonly (string | SafeHtml)[]): string {
  const shown = paragraphs.filter((p) => p !== '');
  return page({ title, body: html`<h1>${title}</h1>${shown.map((p) => html`<p>${p}</p>`)}` });
}

/** The page a route answers an error with: its title and message (shared/core/http/edge.ts errorView). */
export function errorPage(view: { title: string; message: string }): string {
  return messagePage(view.title, [view.message]);
}
