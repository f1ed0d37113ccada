/**
 * Placeholder domains in the district's settings: cdk.json ships a fictional district on example.org,
 * and a stack deployed with it can never send mail (SES cannot verify example.org) or reach anyone.
 * parseConfig refuses every setting that names one, unless `allowPlaceholderDomains` is true (the
 * tests, the benchmarks and `npm run synth`, which check the template with the example values).
 */

/** Reserved for documentation and testing (RFC 2606, RFC 6761): never a district's real domain. */
const PLACEHOLDER_DOMAINS = ['example.org', 'example.com', 'example.net'] as const;
const PLACEHOLDER_TLDS = ['example', 'test', 'invalid', 'localhost'] as const;

/** Whether a host name (or the domain of an email address) is a documentation/testing placeholder. */
export function isPlaceholderDomain(hostOrAddress: string): boolean {
  const host = (hostOrAddress.split('@').pop() ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (PLACEHOLDER_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`))) return true;
  return PLACEHOLDER_TLDS.some((tld) => host.endsWith(`.${tld}`));
}

const EMAILS_IN_TEXT = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[a-z]{2,63}/gi;

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** The settings placeholderProblems reads (a parsed configuration). */
export interface PlaceholderInput {
  mailDomain: string;
  mailFrom: string;
  operatorEmail: string;
  escalationEmail?: string | undefined;
  teamEmails: Record<string, string>;
  dpaTemplateUrl: string;
  dpaReturnInstructions: string;
  sslLabsEmail: string;
  publicBaseUrl?: string | undefined;
  customDomain?: { domainName: string } | undefined;
  sesSandboxRecipients?: readonly string[] | undefined;
}

/** One line per setting that names a placeholder domain ("  - key: …"), for ConfigurationError. */
export function placeholderProblems(c: PlaceholderInput): string[] {
  const values: [key: string, value: string | undefined][] = [
    ['mailDomain', c.mailDomain],
    ['mailFrom', c.mailFrom],
    ['operatorEmail', c.operatorEmail],
    ['escalationEmail', c.escalationEmail],
    ...Object.entries(c.teamEmails).map(([team, address]): [string, string] => [
      `teamEmails.${team}`,
      address,
    ]),
    ['dpaTemplateUrl', hostOf(c.dpaTemplateUrl)],
    ...(c.dpaReturnInstructions.match(EMAILS_IN_TEXT) ?? []).map((address): [string, string] => [
      'dpaReturnInstructions',
      address,
    ]),
    ['sslLabsEmail', c.sslLabsEmail],
    ['publicBaseUrl', c.publicBaseUrl ? hostOf(c.publicBaseUrl) : undefined],
    ['customDomain.domainName', c.customDomain?.domainName],
    ...(c.sesSandboxRecipients ?? []).map((address, i): [string, string] => [
      `sesSandboxRecipients.${i}`,
      address,
    ]),
  ];
  return values
    .filter((entry): entry is [string, string] => entry[1] !== undefined && isPlaceholderDomain(entry[1]))
    .map(([key, value]) => `  - ${key}: "${value}" is a placeholder domain, not the district's`);
}

/** Printed once after the placeholder lines. */
export const PLACEHOLDER_NOTE =
  "Placeholder domains (example.org/.com/.net, .example, .test, .invalid, localhost) can never send or receive the district's mail: put the district's own domains and addresses in cdk.json. The tests and `npm run synth` check the template with the shipped example values through -c allowPlaceholderDomains=true; never deploy with it.";
