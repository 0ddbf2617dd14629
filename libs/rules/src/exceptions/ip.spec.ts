import { ipInRange, parseIp, parseIpRange } from './ip';

describe('ip', () => {
  it('parses IPv4, IPv6 and v4-mapped addresses to the same space', () => {
    expect(parseIp('10.0.0.1')).toBe(parseIp('::ffff:10.0.0.1'));
    expect(parseIp('2001:db8::1')).toBeDefined();
    expect(parseIp('::1')).toBe(1n);
    for (const bad of ['10.0.0', '10.0.0.256', 'x', '1::2::3', '', '10.0.0.1.2'])
      expect(parseIp(bad)).toBeUndefined();
  });

  it('reads CIDR blocks, single addresses and dash ranges', () => {
    const cidr = parseIpRange('10.0.0.0/8')!;
    expect(ipInRange(parseIp('10.255.1.2')!, cidr)).toBe(true);
    expect(ipInRange(parseIp('11.0.0.0')!, cidr)).toBe(false);
    const v6 = parseIpRange('2001:db8::/32')!;
    expect(ipInRange(parseIp('2001:db8:ffff::1')!, v6)).toBe(true);
    const dash = parseIpRange('192.168.0.10-192.168.0.1')!;
    expect(ipInRange(parseIp('192.168.0.5')!, dash)).toBe(true);
    expect(ipInRange(parseIp('192.168.0.11')!, dash)).toBe(false);
    expect(parseIpRange('10.0.0.0/33')).toBeUndefined();
  });
});
