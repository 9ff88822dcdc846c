/**
 * SASL on a Kafka connection (after ApiVersions, before anything else): SaslHandshake v1 names
 * the mechanism, then SaslAuthenticate carries its messages. PLAIN (RFC 4616) and SCRAM-SHA-256 /
 * SCRAM-SHA-512 (RFC 5802, RFC 7677) with WebCrypto, which Node 20 and browsers both have.
 */
import { BrookError, ErrorCode } from '@brook/protocol';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface SaslCredentials {
  mechanism?: SaslMechanism | Uppercase<SaslMechanism>;
  username: string;
  password: string;
}

/** One exchange: the first message, then each server message answered (null: done). */
export interface SaslExchange {
  readonly mechanism: string;
  first(): Promise<Uint8Array>;
  /** The server's answer to our last message; returns our next message, or null when the exchange is over. */
  next(server: Uint8Array): Promise<Uint8Array | null>;
}

const utf8 = new TextEncoder();
/** WebCrypto takes bytes over a plain ArrayBuffer. */
type Bytes = Uint8Array<ArrayBuffer>;
const text = new TextDecoder();

export function saslExchange(c: SaslCredentials): SaslExchange {
  const m = (c.mechanism ?? 'plain').toLowerCase();
  if (m === 'plain') return plain(c);
  if (m === 'scram-sha-256') return scram(c, 'SHA-256', 32);
  if (m === 'scram-sha-512') return scram(c, 'SHA-512', 64);
  throw new BrookError(ErrorCode.UNSUPPORTED_SASL_MECHANISM, `sasl mechanism '${c.mechanism}': use plain, scram-sha-256 or scram-sha-512`);
}

function plain(c: SaslCredentials): SaslExchange {
  return {
    mechanism: 'PLAIN',
    first: async () => utf8.encode(`\0${c.username}\0${c.password}`),
    next: async () => null,
  };
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!s) throw new BrookError(ErrorCode.INVALID_CONFIG, 'SCRAM needs WebCrypto (globalThis.crypto.subtle)');
  return s;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function fromBase64(s: string): Bytes {
  return Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
}

async function hmac(hash: string, key: Bytes, data: Bytes): Promise<Bytes> {
  const k = await subtle().importKey('raw', key, { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

/** RFC 5802's "Hi": PBKDF2 with HMAC. */
async function hi(hash: string, bytes: number, password: string, salt: Bytes, iterations: number): Promise<Bytes> {
  const k = await subtle().importKey('raw', utf8.encode(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash, salt, iterations }, k, bytes * 8));
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i), part.slice(i + 1));
  }
  return out;
}

function failed(why: string): BrookError {
  return new BrookError(ErrorCode.SASL_AUTHENTICATION_FAILED, `SCRAM: ${why}`);
}

function scram(c: SaslCredentials, hash: 'SHA-256' | 'SHA-512', bytes: number): SaslExchange {
  const nonce = toBase64(globalThis.crypto.getRandomValues(new Uint8Array(24)));
  // RFC 5802: ',' and '=' in the name are escaped.
  const bare = `n=${c.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  let serverSignature: string | null = null;
  let step = 0;
  return {
    mechanism: `SCRAM-${hash}`,
    first: async () => utf8.encode(`n,,${bare}`),
    async next(server) {
      const msg = text.decode(server);
      const a = attributes(msg);
      if (step++ === 0) {
        const r = a.get('r');
        const s = a.get('s');
        const i = Number(a.get('i'));
        if (a.has('e')) throw failed(a.get('e')!);
        if (!r || !r.startsWith(nonce) || !s || !Number.isInteger(i) || i < 1) throw failed('malformed server-first message');
        const salted = await hi(hash, bytes, c.password, fromBase64(s), i);
        const clientKey = await hmac(hash, salted, utf8.encode('Client Key'));
        const storedKey = new Uint8Array(await subtle().digest(hash, clientKey));
        const withoutProof = `c=biws,r=${r}`;
        const authMessage = utf8.encode(`${bare},${msg},${withoutProof}`);
        const signature = await hmac(hash, storedKey, authMessage);
        const proof = clientKey.map((x, k) => x ^ signature[k]!);
        const serverKey = await hmac(hash, salted, utf8.encode('Server Key'));
        serverSignature = toBase64(await hmac(hash, serverKey, authMessage));
        return utf8.encode(`${withoutProof},p=${toBase64(proof)}`);
      }
      if (a.has('e')) throw failed(a.get('e')!);
      if (a.get('v') !== serverSignature) throw failed("the server's signature does not match: not the server that holds these credentials");
      return null;
    },
  };
}
