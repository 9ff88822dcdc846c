/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the server side, as Kafka's SASL/SCRAM:
 * credentials (salt, iterations, StoredKey, ServerKey) and the two-round exchange. A credential is
 * derived from the plain secret; a SHA-256 digest of the secret is not enough to derive one, so
 * principals given only as `secretSha256` need their SCRAM credentials in the auth file.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Kafka's minimum (and default) iteration count. */
export const SCRAM_ITERATIONS = 4096;

const hashOf = (m: ScramMechanism) => (m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
const hmac = (m: ScramMechanism, key: Buffer, data: string | Buffer) => createHmac(hashOf(m), key).update(data).digest();

export function scramCredential(m: ScramMechanism, password: string, salt: Buffer = randomBytes(32), iterations = SCRAM_ITERATIONS): ScramCredential {
  const h = hashOf(m);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, createHash(h).digest().length, h);
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, iterations, storedKey: createHash(h).update(clientKey).digest(), serverKey: hmac(m, salted, 'Server Key') };
}

/** "n=name": SCRAM escapes "," and "=" in names as "=2C" and "=3D". */
function unescapeName(s: string): string {
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

export class ScramError extends Error {}

/**
 * One SCRAM exchange on the server: `first` takes the client-first message and answers the
 * server-first; `final` takes the client-final, checks the proof and answers the server-final.
 */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private cred: ScramCredential | null = null;
  username = '';

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: (username: string) => ScramCredential | null,
  ) {}

  first(message: string): string {
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(message);
    if (!m) throw new ScramError('malformed client-first message');
    if (m[1]!.startsWith('p')) throw new ScramError('channel binding is not supported');
    this.clientFirstBare = m[3]!;
    const a = attributes(this.clientFirstBare);
    const name = a.get('n');
    const clientNonce = a.get('r');
    if (name === undefined || !clientNonce) throw new ScramError('client-first message without a name or nonce');
    this.username = unescapeName(name);
    this.cred = this.lookup(this.username);
    // An unknown name gets a made-up salt: the answer does not tell which names exist.
    const salt = this.cred?.salt ?? createHash('sha256').update(`brook-scram-${this.mechanism}-${this.username}`).digest();
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${this.cred?.iterations ?? SCRAM_ITERATIONS}`;
    return this.serverFirst;
  }

  final(message: string): string {
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('client-final message without a proof');
    const withoutProof = message.slice(0, proofAt);
    const a = attributes(withoutProof);
    if (a.get('r') !== this.nonce) throw new ScramError('nonce mismatch');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const cred = this.cred;
    if (!cred || proof.length !== cred.storedKey.length) throw new ScramError('authentication failed');
    const signature = hmac(this.mechanism, cred.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    const stored = createHash(hashOf(this.mechanism)).update(clientKey).digest();
    if (!timingSafeEqual(stored, cred.storedKey)) throw new ScramError('authentication failed');
    return `v=${hmac(this.mechanism, cred.serverKey, authMessage).toString('base64')}`;
  }
}
