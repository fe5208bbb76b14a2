import { isIPv4, isIPv6 } from 'node:net';

/** The network an address belongs to for comparison: its /24 (IPv4) or /48 (IPv6); `?` when unknown. */
export function networkPrefix(ip: string | undefined): string {
  if (!ip) return '?';
  let address = ip.trim();
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) address = address.slice(7);
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(address)) return '?';
  return `${expandIPv6(address).slice(0, 3).join(':')}::/48`;
}

function expandIPv6(address: string): string[] {
  const zoneless = address.split('%')[0] ?? '';
  const [head = '', tail] = zoneless.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail takes two groups; it never falls within the first 48 bits unless fully written.
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups.map((g) => (g.includes('.') ? g : (Number.parseInt(g || '0', 16) || 0).toString(16)));
}

/**
 * A user agent reduced to its family: digits removed, so a browser update (Chrome/120 → Chrome/121)
 * is the same agent while another browser, OS or tool is not. Bounded in length.
 */
export function agentFamily(userAgent: string | undefined): string {
  if (!userAgent) return '?';
  return userAgent.slice(0, 300).replace(/[\d._]+/g, '#').replace(/\s+/g, ' ').trim().toLowerCase();
}
