/**
 * A vendor reports an incident through its link (docs/design.md "Stewardship"). Every refusal comes
 * before anything is written: an unknown, altered, expired or used-up link, and a resource the registry
 * does not hold (yet). Then one report is taken from the link's allowance, and the report follows the
 * same path as a signed-in person's (incidents.ts), with the vendor as the reporter.
 */
import { LinkRefusedError, type Refusal } from '../core/errors.ts';
import type { RegistryStore } from '../registry/index.ts';
import type { IncidentRecord } from '../workflow/index.ts';
import { parseIncidentInput } from './incident-input.ts';
import {
  checkIncidentLink,
  type IncidentLinkRecord,
  type IncidentLinkState,
  type IncidentLinkStore,
  takeReport,
} from './incident-links.ts';
import type { IncidentStore } from './incident-store.ts';
import {
  type IncidentReporter,
  incidentIdFor,
  type ReportIncidentDeps,
  reportIncident,
} from './incidents.ts';

/** An incident link that cannot take a report now; `status` is the page's HTTP status. */
export class IncidentLinkRefusedError extends LinkRefusedError<403 | 404 | 409 | 410 | 429> {
  override name = 'IncidentLinkRefusedError';
}

const REFUSALS = {
  'not-found': [
    404,
    'Incident link not found',
    "This incident link does not exist. Please use the link from the district's email.",
  ],
  forbidden: [
    403,
    'This link is not valid',
    'The link is incomplete or was changed. Please use the link exactly as emailed.',
  ],
  expired: [
    410,
    'This link has expired',
    "This incident link has expired. Please reply to the district's most recent email, or write to the Cybersecurity team, to report the incident.",
  ],
  'used-up': [
    429,
    'No more reports through this link',
    'This link has taken all the reports it can. Please reply to the email and the Cybersecurity team will take the report.',
  ],
  'not-registered': [
    409,
    'The resource is not in the registry yet',
    'The district has no approved record of this resource yet. Please reply to the email and the Cybersecurity team will take the report.',
  ],
} as const satisfies Record<string, Refusal>;

function refuse(state: keyof typeof REFUSALS): never {
  throw new IncidentLinkRefusedError(REFUSALS[state]);
}

export interface VendorIncidentDeps extends ReportIncidentDeps {
  links: Pick<IncidentLinkStore, 'getIncidentLink' | 'takeIncidentReport'>;
  store: ReportIncidentDeps['store'] &
    Pick<RegistryStore, 'getRegistryEntry'> &
    Pick<IncidentStore, 'getIncident'>;
}

/** GET: the link must be open and its resource in the registry, reporting on the link's request. */
export async function openIncidentLink(
  linkId: string | undefined,
  secret: string | undefined,
  deps: Pick<VendorIncidentDeps, 'links' | 'store' | 'now'>,
): Promise<IncidentLinkRecord> {
  const checked: IncidentLinkState = await checkIncidentLink(linkId, secret, deps);
  if (checked.state !== 'open') refuse(checked.state);
  const entry = await deps.store.getRegistryEntry(checked.link.resourceId);
  const requests = entry ? (entry.requestIds ?? (entry.requestId ? [entry.requestId] : [])) : [];
  if (!requests.includes(checked.link.requestId)) refuse('not-registered');
  return checked.link;
}

export type VendorReportResult =
  | { state: 'invalid'; link: IncidentLinkRecord; errors: { field: string; message: string }[] }
  | { state: 'reported'; link: IncidentLinkRecord; incident: IncidentRecord };

/**
 * POST: the report on the link's resource (a `resourceId` in the body is ignored). Bad fields: every
 * one named, nothing written, the allowance untouched.
 */
export async function reportThroughLink(
  linkId: string | undefined,
  secret: string | undefined,
  body: Record<string, unknown>,
  deps: VendorIncidentDeps,
): Promise<VendorReportResult> {
  const link = await openIncidentLink(linkId, secret, deps);
  const report = { ...body, resourceId: link.resourceId };
  const parsed = parseIncidentInput(report, deps.now());
  if (!parsed.ok) return { state: 'invalid', link, errors: parsed.errors };
  const reporter: IncidentReporter = {
    via: 'vendor-link',
    name: `vendor of ${link.resourceName}`,
    email: link.sentTo,
    requestId: link.requestId,
  };
  // The same report again (the vendor retrying after an error) is the incident already stored: it
  // takes no second report from the link's allowance.
  const repeat = (await deps.store.getIncident(incidentIdFor(parsed.value, reporter))) !== undefined;
  if (!repeat && (await takeReport(link, deps)) === 'refused') {
    // It changed since it was read: expired this instant, or another report took the last one.
    const again = await checkIncidentLink(link.linkId, secret, deps);
    refuse(again.state === 'open' ? 'used-up' : again.state);
  }
  const result = await reportIncident(report, reporter, deps);
  if (result.state === 'invalid') return { state: 'invalid', link, errors: result.errors };
  return { state: 'reported', link, incident: result.incident };
}
