/** ISIZE, a gzip member's last 4 bytes: its input's size mod 2^32 (Kafka writes one member). */
export function gzipDeclaredSize(data: Uint8Array): number | null {
  return data.length >= 18 ? new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(data.length - 4, true) : null;
}
