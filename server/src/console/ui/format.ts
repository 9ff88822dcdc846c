/** How the console writes numbers, sizes, times and record bytes. */
import type { Encoding } from './api.js';

const int = new Intl.NumberFormat();
const dec = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export const fmtInt = (n: number | string) => int.format(Number(n));
export const fmtRate = (n: number) => (n === 0 ? '0' : n < 10 ? dec.format(n) : int.format(Math.round(n)));

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : dec.format(n)} ${units[i]}`;
}

export function fmtDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export const fmtTime = (ms: number | string) => new Date(Number(ms)).toLocaleString();

/** What a field holds, decided from its bytes: JSON, text, or neither (shown as hex). */
export interface Shown {
  kind: 'json' | 'text' | 'hex' | 'null';
  text: string;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The admin API sends bytes as UTF-8 text where valid, else base64. */
export function show(value: string | null, encoding: Encoding): Shown {
  if (value === null) return { kind: 'null', text: 'null' };
  if (encoding === 'base64') return { kind: 'hex', text: hex(base64ToBytes(value)) };
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(value), null, 2) };
    } catch {
      // not JSON after all: text
    }
  }
  return { kind: 'text', text: value };
}
