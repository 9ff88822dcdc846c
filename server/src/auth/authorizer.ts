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
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type Resource = 'topic' | 'group' | 'transactionalId' | 'cluster';
export type Operation = 'produce' | 'consume' | 'describe' | 'use' | 'write' | 'admin' | 'all';

export interface Acl {
  resource: Resource;
  name?: string;
  patternType?: 'literal' | 'prefixed';
  operations: Operation[];
}

export interface PrincipalConfig {
  name: string;
  secret?: string;
  secretSha256?: string;
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
  private readonly principals = new Map<string, { digest: Buffer; principal: Principal }>();

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
      this.principals.set(p.name, { digest, principal: { name: p.name, acls } });
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

/** What handlers ask: null principal with auth off means everything is allowed. */
export function can(authEnabled: boolean, p: Principal | null, resource: Resource, name: string, op: Operation): boolean {
  if (!authEnabled) return true;
  return p !== null && Authorizer.allows(p, resource, name, op);
}
