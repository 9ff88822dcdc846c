/**
 * Version ranges as Kafka's message specs write them: "0+", "3-12", "7", "none".
 * Parsed once, when a declaration is made, into an inclusive [lo, hi] pair.
 */
export interface VersionRange {
  readonly lo: number;
  /** Inclusive; Infinity for an open range ("3+"). */
  readonly hi: number;
  /** The range as written in the declaration, for docs and error messages. */
  readonly text: string;
}

export const NO_VERSIONS: VersionRange = { lo: 0, hi: -1, text: 'none' };

export function parseVersions(text: string): VersionRange {
  const t = text.trim();
  if (t === 'none' || t === '') return NO_VERSIONS;
  let m = /^(\d+)\+$/.exec(t);
  if (m) return { lo: Number(m[1]), hi: Infinity, text: t };
  m = /^(\d+)-(\d+)$/.exec(t);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (hi < lo) throw new Error(`empty version range ${t}`);
    return { lo, hi, text: t };
  }
  m = /^(\d+)$/.exec(t);
  if (m) return { lo: Number(m[1]), hi: Number(m[1]), text: t };
  throw new Error(`bad version range '${text}'`);
}

export function inVersions(r: VersionRange, v: number): boolean {
  return v >= r.lo && v <= r.hi;
}
