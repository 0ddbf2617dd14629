/** Literal IP address checks without backtracking regexes (inputs are untrusted). */

export function isIpv4(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    if (Number(p) > 255 || (p.length > 1 && p[0] === '0')) return false;
  }
  return true;
}

export function isIpv6(value: string): boolean {
  if (value.length < 2 || value.length > 45) return false;
  let v = value;
  const pct = v.indexOf('%'); // zone id
  if (pct !== -1) v = v.slice(0, pct);
  let groupsNeeded = 8;
  const lastColon = v.lastIndexOf(':');
  if (lastColon !== -1 && v.indexOf('.', lastColon) !== -1) {
    if (!isIpv4(v.slice(lastColon + 1))) return false;
    v = v.slice(0, lastColon + 1) + '0';
    groupsNeeded = 7;
  }
  const halves = v.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  for (const g of [...head, ...tail]) {
    if (g.length === 0 || g.length > 4) return false;
    for (let i = 0; i < g.length; i++) {
      const c = g.charCodeAt(i);
      const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
      if (!hex) return false;
    }
  }
  const count = head.length + tail.length;
  return halves.length === 2 ? count < groupsNeeded : count === groupsNeeded;
}

export function isIp(value: string): boolean {
  return isIpv4(value) || isIpv6(value);
}
