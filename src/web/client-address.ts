/**
 * The address a request came from, for rate limits. Behind a reverse proxy every connection comes from the
 * proxy, and X-Forwarded-For says whom it forwarded for — but anyone can send that header, so it is read only
 * from the proxies the operator trusts (OPENPAPERS_TRUSTED_PROXIES), right to left, up to the first address
 * that is not one of them.
 */
import { BlockList, isIP } from 'node:net';

export type TrustedProxies = (address: string) => boolean;

export const TRUST_NO_PROXY: TrustedProxies = () => false;

/** Addresses (`10.0.0.7`, `::1`) and ranges (`10.0.0.0/8`, `fd00::/8`), as the setting lists them. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  if (entries.length === 0) return TRUST_NO_PROXY;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const prefix = Number(bits);
    const maxBits = family === 6 ? 128 : 32;
    if (
      !family ||
      rest.length > 0 ||
      (bits !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxBits))
    ) {
      throw new Error(`"${entry}" is not an IP address or an address range such as 10.0.0.0/8`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address as string, type);
    else list.addSubnet(address as string, prefix, type);
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** `::ffff:10.0.0.7`, as a dual-stack server sees an IPv4 peer, is 10.0.0.7. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The client: the peer, or behind trusted proxies the nearest address in X-Forwarded-For that is not one. */
export function clientOf(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  if (!trusted(peer) || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapped(hops[i] as string);
    if (isIP(hop) === 0) return peer;
    if (!trusted(hop)) return hop;
  }
  return hops[0] ? unmapped(hops[0]) : peer;
}
