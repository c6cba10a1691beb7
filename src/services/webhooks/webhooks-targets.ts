import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { SimdockError } from '../../domain/index.js';

/**
 * Where webhooks may go. Targets whose addresses are private, loopback, link-local, shared
 * (CGNAT), unspecified, multicast or reserved are refused unless configuration allows private
 * targets; the hostname's resolved addresses are checked (every one of them), not the name, and
 * the delivery's connection checks the address it actually connects to again (see
 * webhooks-http.ts), so a name re-pointed after the check gains nothing.
 */

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6) is one webhooks may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as the IPv4 address.
    const mapped = /^(?:0*:)*(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (hexMapped) {
      const high = Number.parseInt(hexMapped[1]!, 16);
      const low = Number.parseInt(hexMapped[2]!, 16);
      return blocked.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
    }
    return blocked.check(address, 'ipv6');
  }
  return true;
}

/** Resolves a hostname to every address it has. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface TargetPolicy {
  /** Allow private, loopback and link-local targets (development, tests, on-premises receivers). */
  allowPrivateTargets?: boolean;
  resolve?: HostResolver;
}

/** A URL as written in an endpoint: http(s), no credentials. Throws `invalid_argument`. */
export function parseWebhookUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SimdockError('invalid_argument', `webhook url "${value}" is not a URL`, {
      details: { field: 'url' },
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SimdockError('invalid_argument', 'webhook url must be http or https', {
      details: { field: 'url', protocol: url.protocol },
    });
  }
  if (url.username || url.password) {
    throw new SimdockError('invalid_argument', 'webhook url must not carry credentials', {
      details: { field: 'url' },
    });
  }
  return url;
}

/** The hostname without IPv6 brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Checks a target URL: parses it and, unless private targets are allowed, resolves its host and
 * refuses it when any address is private (`invalid_argument`, with the addresses). Returns the
 * addresses found.
 */
export async function checkWebhookTarget(value: string, policy: TargetPolicy = {}) {
  const url = parseWebhookUrl(value);
  const hostname = bareHostname(url);
  if (policy.allowPrivateTargets) return { url, addresses: [] as string[] };
  let addresses: string[];
  if (isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(hostname);
    } catch (error) {
      throw new SimdockError('invalid_argument', `webhook host "${hostname}" does not resolve`, {
        details: { field: 'url', host: hostname },
        cause: error,
      });
    }
  }
  const refused = addresses.filter(isPrivateAddress);
  if (addresses.length === 0 || refused.length > 0) {
    throw new SimdockError(
      'invalid_argument',
      `webhook url "${value}" resolves to a private, loopback or link-local address (${refused.join(', ') || 'none'}); allow private targets in the configuration to use it`,
      { details: { field: 'url', host: hostname, addresses: refused } },
    );
  }
  return { url, addresses };
}
