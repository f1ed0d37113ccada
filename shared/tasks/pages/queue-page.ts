/**
 * GET /queue as a page: the signed-in person's teams' pending tasks in a table (request, step, team,
 * assigned, deadline, overdue past its service level, who has it) with Take / Give back / Assign on
 * each row, and the out-of-office form. Every form posts the session's CSRF token; no script.
 */
import type { FieldError } from '../../core/errors.ts';
import { html } from '../../core/html/html.ts';
import { page } from '../../core/html/layout.ts';
import type { Away, Identity } from '../../identity/index.ts';
import { TEAMS } from '../../workflow/index.ts';
import { formatDateTime } from '../emails/task-email.ts';
import type { QueueItem } from '../queue.ts';
import { taskTeamsOf } from '../queue.ts';

export interface QueueView {
  person: Identity;
  csrf: string;
  items: QueueItem[];
  away?: Away;
  /** What the last move said (taken, given back, assigned) or its errors. */
  notice?: string;
  errors?: FieldError[];
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

function row(item: QueueItem, view: QueueView) {
  const mine = item.assignee?.email === view.person.email;
  const action = (name: string) => `/queue/${encodeURIComponent(item.taskId)}/${name}`;
  const assignId = `assign-${item.taskId}`;
  return html`<tr>
<td><a href="${item.link}">${item.title}</a><br><a class="hint" href="/requests/${encodeURIComponent(item.requestId)}">Request ${item.requestId}</a></td>
<td>${TEAMS[item.team]}</td>
<td>${formatDateTime(item.assignedAt)}</td>
<td>${formatDateTime(item.dueAt)}${item.overdue ? html` <span class="badge DENIED">Overdue</span>` : ''}</td>
<td>${item.assignee ? `${item.assignee.name} (${item.assignee.email})` : 'Not taken'}</td>
<td>${
    mine
      ? html`<form method="post" action="${action('release')}">${csrfField(view.csrf)}<button type="submit" class="secondary">Give back</button></form>`
      : html`<form method="post" action="${action('claim')}">${csrfField(view.csrf)}<button type="submit">Take</button></form>`
  }
<form method="post" action="${action('assign')}">${csrfField(view.csrf)}
<label for="${assignId}">Assign to (email)</label>
<input id="${assignId}" name="assignee" type="email" autocomplete="off" required>
<button type="submit" class="secondary">Assign</button></form></td>
</tr>`;
}

export function renderQueuePage(view: QueueView): string {
  const teams = taskTeamsOf(view.person).map((team) => TEAMS[team]);
  const errors = view.errors ?? [];
  const body = html`<h1>Work queue</h1>
<p>Signed in as <strong>${view.person.name}</strong> (${view.person.email}) · ${teams.length ? `Teams: ${teams.join(', ')}` : 'You are in no review team: there is nothing to decide here.'}</p>
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : ''}
${errors.length ? html`<div class="errors" role="alert"><p>Nothing was changed:</p><ul>${errors.map((e) => html`<li>${e.message}</li>`)}</ul></div>` : ''}
<table>
<caption class="hint">Pending tasks of your teams, soonest deadline first</caption>
<thead><tr><th scope="col">Task</th><th scope="col">Team</th><th scope="col">Assigned</th><th scope="col">Deadline</th><th scope="col">Taken by</th><th scope="col">Actions</th></tr></thead>
<tbody>${view.items.length ? view.items.map((item) => row(item, view)) : html`<tr><td colspan="6">No pending tasks.</td></tr>`}</tbody>
</table>
<section class="card" aria-labelledby="away-title"><h2 id="away-title">Out of office</h2>
${
  view.away
    ? html`<p>Your tasks go to <strong>${view.away.delegateTo}</strong> until the end of ${view.away.until}.</p>
<form method="post" action="/queue/away">${csrfField(view.csrf)}<input type="hidden" name="clear" value="1"><button type="submit" class="secondary">I am back</button></form>`
    : ''
}
<form method="post" action="/queue/away">${csrfField(view.csrf)}
<label for="delegateTo">My tasks go to (a teammate's email)</label>
<input id="delegateTo" name="delegateTo" type="email" autocomplete="off" required>
<label for="until">Until (last day away)</label>
<input id="until" name="until" type="date" required>
<button type="submit">Set out of office</button></form></section>
<form method="post" action="/auth/logout">${csrfField(view.csrf)}<button type="submit" class="secondary">Sign out</button></form>`;
  return page({ title: 'Work queue', body });
}
