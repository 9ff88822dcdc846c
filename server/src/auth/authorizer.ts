/**
 * Authentication and ACLs. Principals and their ACLs come from a JSON file (`--auth-file`,
 * BROOK_AUTH_FILE) or the `auth` option of startBroker:
 *
 *   { "principals": [
 *       { "name": "billing-svc", "secretSha256": "<hex sha-256 of the secret>",
 *         "acls": [
 *           { "resource": "topic", "name": "orders", "patternType": "literal", "operations": ["consume"] },
 *           { "resource": "group", "name": "billing", "patternType": "prefixed", "operations": ["use"] } ] },
 *       { "name": "ops", "secret": "plain text is accepted too (hashed at load)",
 *         "acls": [{ "resource": "cluster", "operations": ["admin"] }] } ] }
 *
 * Operations: topic produce | consume | describe (produce and consume imply describe), group use,
 * transactionalId write (use a transactional id: InitProducerId, produce and commit in its
 * transactions), cluster admin (create/delete topics, delete groups and offsets, the admin HTTP
 * API), and "all".
 * Secrets are compared as SHA-256 digests with timingSafeEqual.
 *
 * SASL/SCRAM (the Kafka listener) needs salted keys: they are derived at load from a plain
 * "secret"; a principal given only as "secretSha256" can log in with SCRAM if the file also has
 *   "scram": { "SCRAM-SHA-256": { "salt": b64, "iterations": 4096, "storedKey": b64, "serverKey": b64 } }
 * (what Kafka's kafka-configs --add-config 'SCRAM-SHA-256=[...]' stores), else PLAIN only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SCRAM_MECHANISMS, scramCredential, type ScramCredential, type ScramMechanism } from './scram.js';

export type Resource = 'topic' | 'group' | 'transactionalId' | 'cluster';
export type Operation = 'produce' | 'consume' | 'describe' | 'use' | 'write' | 'admin' | 'all';

export interface Acl {
  resource: Resource;
  name?: string;
  patternType?: 'literal' | 'prefixed';
  operations: Operation[];
}

export interface ScramCredentialConfig {
  /** Base64. */
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}

export interface PrincipalConfig {
  name: string;
  secret?: string;
  secretSha256?: string;
  scram?: Partial<Record<ScramMechanism, ScramCredentialConfig>>;
  acls?: Acl[];
}

export interface AuthConfig {
  principals: PrincipalConfig[];
}

export interface Principal {
  name: string;
  acls: Acl[];
}

const OPS: Record<Resource, Operation[]> = {
  topic: ['produce', 'consume', 'describe', 'all'],
  group: ['use', 'all'],
  transactionalId: ['write', 'all'],
  cluster: ['admin', 'all'],
};

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class Authorizer {
  private readonly principals = new Map<string, { digest: Buffer; principal: Principal; scram: Map<ScramMechanism, ScramCredential> }>();

  constructor(config: AuthConfig) {
    if (!config || !Array.isArray(config.principals) || config.principals.length === 0) {
      throw new Error('auth config needs a non-empty "principals" array');
    }
    for (const p of config.principals) {
      if (typeof p.name !== 'string' || p.name.length === 0) throw new Error('every principal needs a "name"');
      if (this.principals.has(p.name)) throw new Error(`principal "${p.name}" is defined twice`);
      let digest: Buffer;
      if (typeof p.secretSha256 === 'string' && /^[0-9a-f]{64}$/i.test(p.secretSha256)) digest = Buffer.from(p.secretSha256, 'hex');
      else if (typeof p.secret === 'string' && p.secret.length > 0) digest = sha256(p.secret);
      else throw new Error(`principal "${p.name}" needs "secretSha256" (64 hex digits) or "secret"`);
      const acls = p.acls ?? [];
      for (const a of acls) {
        if (!(a.resource in OPS)) throw new Error(`principal "${p.name}": unknown ACL resource "${String(a.resource)}"`);
        if (!Array.isArray(a.operations) || a.operations.some((op) => !OPS[a.resource].includes(op))) {
          throw new Error(`principal "${p.name}": ACL on ${a.resource} allows only ${OPS[a.resource].join(', ')}`);
        }
        if (a.resource !== 'cluster' && typeof a.name !== 'string') throw new Error(`principal "${p.name}": ${a.resource} ACL needs a "name"`);
        if (a.patternType !== undefined && a.patternType !== 'literal' && a.patternType !== 'prefixed') {
          throw new Error(`principal "${p.name}": patternType must be literal or prefixed`);
        }
      }
      this.principals.set(p.name, { digest, principal: { name: p.name, acls }, scram: scramCredentials(p) });
    }
  }

  static fromFile(path: string): Authorizer {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read auth file ${path}: ${(e as Error).message}`);
    }
    return new Authorizer(json as AuthConfig);
  }

  /** The principal for these credentials, or null. Always hashes, so timing does not reveal names. */
  authenticate(username: string | null, password: string | null): Principal | null {
    const given = sha256(password ?? '');
    const entry = username === null ? undefined : this.principals.get(username);
    const expected = entry?.digest ?? sha256('\0no such principal');
    const ok = timingSafeEqual(given, expected);
    return ok && entry ? entry.principal : null;
  }

  /** The principal of that name (the group coordinator keeps members' principals by name). */
  principal(name: string): Principal | null {
    return this.principals.get(name)?.principal ?? null;
  }

  /** The principal's SCRAM credential for a mechanism, or null if it has none. */
  scramCredential(name: string, mechanism: ScramMechanism): ScramCredential | null {
    return this.principals.get(name)?.scram.get(mechanism) ?? null;
  }

  static allows(p: Principal, resource: Resource, name: string, op: Operation): boolean {
    for (const a of p.acls) {
      if (a.resource !== resource) continue;
      if (resource !== 'cluster') {
        const matches = a.patternType === 'prefixed' ? name.startsWith(a.name!) : a.name === name || a.name === '*';
        if (!matches) continue;
      }
      if (a.operations.includes('all') || a.operations.includes(op)) return true;
      // Kafka: read and write imply describe.
      if (op === 'describe' && (a.operations.includes('produce') || a.operations.includes('consume'))) return true;
    }
    return false;
  }
}

function scramCredentials(p: PrincipalConfig): Map<ScramMechanism, ScramCredential> {
  const out = new Map<ScramMechanism, ScramCredential>();
  for (const m of SCRAM_MECHANISMS) {
    const given = p.scram?.[m];
    if (given) {
      if (typeof given.salt !== 'string' || !Number.isInteger(given.iterations) || given.iterations < 4096 || typeof given.storedKey !== 'string' || typeof given.serverKey !== 'string') {
        throw new Error(`principal "${p.name}": ${m} needs salt, iterations (>= 4096), storedKey and serverKey (base64)`);
      }
      const b64 = (s: string) => Buffer.from(s, 'base64');
      out.set(m, { salt: b64(given.salt), iterations: given.iterations, storedKey: b64(given.storedKey), serverKey: b64(given.serverKey) });
    } else if (typeof p.secret === 'string' && p.secret.length > 0) out.set(m, scramCredential(m, p.secret));
  }
  return out;
}

/** What handlers ask: null principal with auth off means everything is allowed. */
export function can(authEnabled: boolean, p: Principal | null, resource: Resource, name: string, op: Operation): boolean {
  if (!authEnabled) return true;
  return p !== null && Authorizer.allows(p, resource, name, op);
}
