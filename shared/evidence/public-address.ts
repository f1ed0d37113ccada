/**
 * Which addresses a vendor's page may be fetched from: the public internet only. The fetch runs inside
 * the district's AWS account, so an address a requester types (or a vendor's redirect names) must never
 * reach the instance metadata service, the VPC, or the Lambda's own loopback (server-side request
 * forgery). Host names are checked twice: here by name and literal address before any request, and by
 * every DNS answer at connect time (`checkedLookup`), so a name that resolves to a private address, even
 * one that changes its answer between checks (DNS rebinding), is refused.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** IPv4 ranges no vendor's public website lives in. */
const PRIVATE_IPV4: readonly [network: string, prefix: number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // network benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the broadcast address 255.255.255.255
];

const PRIVATE_IPV6: readonly [network: string, prefix: number][] = [
  ['::', 96], // unspecified, loopback ::1 and the deprecated IPv4-compatible addresses
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

/** `10.0.0.0` → `a00:0`: an IPv4 network as the two low groups of an IPv6 address. */
function ipv4AsGroups(ipv4: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = ipv4.split('.').map(Number);
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function privateRanges(): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of PRIVATE_IPV4) {
    // node's BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against an IPv4 range.
    list.addSubnet(network, prefix, 'ipv4');
    // The same range behind NAT64 (64:ff9b::/96) and 6to4 (2002::/16), which embed an IPv4 address.
    list.addSubnet(`64:ff9b::${ipv4AsGroups(network)}`, 96 + prefix, 'ipv6');
    const [high = '0', low = '0'] = ipv4AsGroups(network).split(':');
    list.addSubnet(`2002:${high}:${low}::`, 16 + prefix, 'ipv6');
  }
  for (const [network, prefix] of PRIVATE_IPV6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

const PRIVATE = privateRanges();

/** True for a literal IPv4 or IPv6 address on the public internet; false for private ones and non-addresses. */
export function isPublicAddress(address: string): boolean {
  // A DNS answer may carry an IPv6 zone (fe80::1%eth0): the address is what matters.
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return false;
  return !PRIVATE.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** Names that only ever mean this machine or a private network. */
const PRIVATE_NAMES = /(^|\.)(localhost|internal|local)$/;

/**
 * Why a URL's host may not be fetched (a sentence for Cybersecurity), or undefined when it may be tried.
 * Expects the `hostname` of a WHATWG URL, which has already turned `0x7f.1` and `2130706433` into
 * `127.0.0.1`.
 */
export function privateHostProblem(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === '') return 'The address has no host name.';
  const literal = host.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0) {
    return isPublicAddress(literal)
      ? undefined
      : `${hostname} is a private, internal or reserved network address, not a vendor's public website.`;
  }
  if (PRIVATE_NAMES.test(host)) {
    return `${hostname} names this computer or an internal network, not a vendor's public website.`;
  }
  return undefined;
}

/** A DNS answer that names a private address: the connection is not made. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly hostname: string;
  readonly address: string;
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, a private or internal network address`);
    this.hostname = hostname;
    this.address = address;
  }
}

/** Every address a host name resolves to (node's resolver by default: the one Lambda uses). */
export type HostResolver = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname, family) => dnsLookup(hostname, { all: true, family });

/**
 * A `lookup` for node:http/https requests that resolves the name, refuses the connection when any
 * answer is not allowed, and connects only to the addresses it checked. Refusing on any private answer
 * (rather than skipping it) keeps a name that mixes public and private answers from ever reaching the
 * private one on a retry.
 */
export function checkedLookup(
  resolve: HostResolver,
  allowed: (address: string) => boolean = isPublicAddress,
): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    resolve(hostname, family).then(
      (answers) => {
        const refused = answers.find((answer) => !allowed(answer.address));
        if (refused) return callback(new PrivateAddressError(hostname, refused.address), '', 0);
        const first = answers[0];
        if (!first)
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        if (options.all) return callback(null, answers);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
