/** Decodes the hex `saddr` of a SOCKADDR record (struct sockaddr_in / _in6 / _un). */
export function decodeSockaddr(hex: string): Record<string, string> {
  if (hex.length < 4 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return { saddr: hex };
  const b = Buffer.from(hex, 'hex');
  const family = b.readUInt16LE(0);
  switch (family) {
    case 1: {
      // AF_UNIX: path up to the first NUL (abstract sockets start with NUL).
      let path = b.subarray(2);
      if (path.length > 0 && path[0] === 0) path = path.subarray(1);
      const nul = path.indexOf(0);
      return { family: 'unix', path: path.subarray(0, nul === -1 ? path.length : nul).toString('utf8') };
    }
    case 2:
      if (b.length < 8) return { family: 'ipv4' };
      return { family: 'ipv4', addr: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, port: String(b.readUInt16BE(2)) };
    case 10: {
      if (b.length < 24) return { family: 'ipv6' };
      const groups: string[] = [];
      for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(8 + i * 2).toString(16));
      return { family: 'ipv6', addr: compressIpv6(groups), port: String(b.readUInt16BE(2)) };
    }
    case 16:
      return { family: 'netlink' };
    default:
      return { family: String(family) };
  }
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups (length >= 2) becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return groups.join(':');
  const head = groups.slice(0, best).join(':');
  const tail = groups.slice(best + bestLen).join(':');
  if (best === 0 && groups.length > 0) {
    // ::ffff:a.b.c.d for v4-mapped
    if (bestLen === 5 && groups[5] === 'ffff') {
      const a = parseInt(groups[6], 16);
      const c = parseInt(groups[7], 16);
      return `::ffff:${a >> 8}.${a & 255}.${c >> 8}.${c & 255}`;
    }
  }
  return `${head}::${tail}`;
}
