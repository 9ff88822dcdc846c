/** The `brook` CLI's flag and value parsers, each failing with a CliError that names the rule. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

/** An error for the user, printed without a stack. */
export class CliError extends Error {}

/** A flag given several times collects its values. */
export const repeatable = (v: string, prev: string[]): string[] => [...prev, v];

/** A flag that takes a whole number of at least `min`: "abc" fails here, naming the flag's rule. */
export function wholeNumber(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\s*-?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}, got "${v}"`);
    return n;
  };
}

/** `--config key=value` pairs. */
export function parseConfig(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new CliError(`--config expects key=value, got "${p}"`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** ISO-8601 durations as kafka-consumer-groups.sh takes them: PnDTnHnMnS. */
export function parseDuration(s: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) throw new CliError(`--by-duration expects an ISO-8601 duration like PT1H or P1DT2H, got "${s}"`);
  const [, d, h, min, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(sec ?? 0) * 1000;
}

export type SaslMechanismFlag = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export interface SaslFlags {
  mechanism: SaslMechanismFlag;
  username: string;
  password: string;
}

/** `--user`-style `name:secret` credentials with their mechanism; undefined without a value. */
export function credentials(flag: string, value: string | undefined, mechanism: SaslMechanismFlag): SaslFlags | undefined {
  if (!value) return undefined;
  const i = value.indexOf(':');
  if (i <= 0) throw new CliError(`${flag} expects name:secret`);
  return { mechanism, username: value.slice(0, i), password: value.slice(i + 1) };
}

/** `brook migrate`'s flags. */
export interface MigrateFlags {
  to: string;
  topic: string[];
  group: string[];
  dryRun?: boolean;
  verify?: boolean;
  toUser?: string;
  toSaslMechanism: SaslMechanismFlag;
  toCa?: string;
  toTls?: boolean;
}

/** The target cluster's SASL and TLS, from the --to-* flags (the source's come from --user and --ca). */
export function targetSecurity(o: MigrateFlags): { sasl?: SaslFlags; ssl?: true | { ca: Buffer } } {
  const out: ReturnType<typeof targetSecurity> = {};
  const sasl = credentials('--to-user', o.toUser, o.toSaslMechanism);
  if (sasl) out.sasl = sasl;
  if (o.toCa) {
    try {
      out.ssl = { ca: readFileSync(o.toCa) };
    } catch (e) {
      throw new CliError(`cannot read --to-ca ${o.toCa}: ${(e as Error).message}`);
    }
  } else if (o.toTls) out.ssl = true;
  return out;
}
