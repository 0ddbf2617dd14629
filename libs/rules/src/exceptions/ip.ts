/**
 * IP addresses, CIDR blocks and `a-b` ranges, for value lists of type `ip` and `ip_range`.
 * Addresses are compared as 128-bit integers; IPv4 maps into `::ffff:0:0/96` as Elasticsearch's
 * `ip` type does, so `10.0.0.1` and `::ffff:10.0.0.1` are the same address.
 */

export interface IpRange {
  low: bigint;
  high: bigint;
}

const V4_MAPPED = 0xffff00000000n;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return undefined;
    for (const ch of p) if (ch < '0' || ch > '9') return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseHexGroup(g: string): number | undefined {
  if (g.length === 0 || g.length > 4) return undefined;
  for (const ch of g.toLowerCase())
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return undefined;
  return parseInt(g, 16);
}

function parseV6(text: string): bigint | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tailV4: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseV4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    const v = parseHexGroup(g);
    if (v === undefined) return undefined;
    n = (n << 16n) | BigInt(v);
  }
  if (tailV4 !== undefined) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

/** The address as a 128-bit integer, or undefined when it is not an IP address. */
export function parseIp(text: string): bigint | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length > 64) return undefined;
  if (t.includes(':')) return parseV6(t);
  const v4 = parseV4(t);
  return v4 === undefined ? undefined : V4_MAPPED | v4;
}

/** `a.b.c.d/n`, `x::/n`, a single address, or `low-high`. Undefined when unparsable. */
export function parseIpRange(text: string): IpRange | undefined {
  const t = text.trim();
  const dash = t.indexOf('-');
  if (dash > 0) {
    const low = parseIp(t.slice(0, dash));
    const high = parseIp(t.slice(dash + 1));
    if (low === undefined || high === undefined) return undefined;
    return low <= high ? { low, high } : { low: high, high: low };
  }
  const slash = t.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(t);
    return ip === undefined ? undefined : { low: ip, high: ip };
  }
  const addrText = t.slice(0, slash);
  const ip = parseIp(addrText);
  const prefixText = t.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const isV4 = !addrText.includes(':');
  const prefix = Number(prefixText) + (isV4 ? 96 : 0);
  if (prefix > 128) return undefined;
  const hostBits = BigInt(128 - prefix);
  const mask = (1n << hostBits) - 1n;
  return { low: ip & ~mask, high: ip | mask };
}

export function ipInRange(ip: bigint, range: IpRange): boolean {
  return ip >= range.low && ip <= range.high;
}
