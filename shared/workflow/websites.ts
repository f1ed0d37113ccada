/**
 * SOP 5 "a resource that requires the use of a website": the websites Cybersecurity names at the
 * privacy review (one address per line), as the distinct host names SSL Labs tests. A line may be a
 * full http(s) address or a bare host name; each follows the request form's website-link rule.
 */
import { urlProblem } from '../core/text/text-rules.ts';

/** At most this many websites per resource: one scan tests them all at once, within SSL Labs' limits. */
export const MAX_WEBSITES = 10;

/** The host name of an address or bare name (lower case, no trailing dot), or '' when it is neither. */
export function websiteHost(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return '';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return '';
    return url.hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
}

export type WebsitesResult = { ok: true; hosts: string[] } | { ok: false; message: string };

/** One address per line → the distinct hosts, in the order given; the first bad line is reported. */
export function parseWebsites(text: string, label = 'Websites'): WebsitesResult {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const hosts: string[] = [];
  for (const [i, line] of lines.entries()) {
    const address = /^[a-z][a-z0-9+.-]*:\/\//i.test(line) ? line : `https://${line}`;
    const problem = urlProblem(address);
    if (problem) return { ok: false, message: `${label}, line ${i + 1} (${line.slice(0, 80)}) ${problem}` };
    const host = websiteHost(address);
    if (!hosts.includes(host)) hosts.push(host);
  }
  if (hosts.length > MAX_WEBSITES) {
    return { ok: false, message: `${label}: name at most ${MAX_WEBSITES} different websites` };
  }
  return { ok: true, hosts };
}

/** At most this many privacy policy addresses per review (each is fetched and kept as evidence). */
export const MAX_POLICY_ADDRESSES = 5;

export type AddressesResult = { ok: true; urls: string[] } | { ok: false; message: string };

/** One policy address per line → the distinct full addresses (https:// added to a bare name). */
export function parsePolicyAddresses(text: string, label = 'Privacy policy reviewed'): AddressesResult {
  const urls: string[] = [];
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (const [i, line] of lines.entries()) {
    const address = /^[a-z][a-z0-9+.-]*:\/\//i.test(line) ? line : `https://${line}`;
    const problem = urlProblem(address);
    if (problem) return { ok: false, message: `${label}, line ${i + 1} (${line.slice(0, 80)}) ${problem}` };
    const url = new URL(address).toString();
    if (!urls.includes(url)) urls.push(url);
  }
  if (urls.length > MAX_POLICY_ADDRESSES) {
    return { ok: false, message: `${label}: name at most ${MAX_POLICY_ADDRESSES} addresses` };
  }
  return { ok: true, urls };
}

/** One entry per line (subprocessors): trimmed, distinct, empty lines dropped. */
export function parseLines(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\r\n|\r|\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
}
