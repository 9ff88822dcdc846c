/**
 * zstd outside Node: none native (codecs.ts registers fzstd, which only decompresses). Node takes
 * zstd.node.ts instead, by the `node` condition of the package's `#zstd` import.
 */

/** libzstd, unbounded: codecs.ts hands it only streams whose frames bound their output. */
export interface NativeZstd {
  decompress(data: Uint8Array): Uint8Array;
  compress(data: Uint8Array): Uint8Array;
}

export const nativeZstd: NativeZstd | null = null;
