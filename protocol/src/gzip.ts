/**
 * gzip outside Node: none native (codecs.ts registers its JavaScript one, fflate). Node takes
 * gzip.node.ts instead, by the `node` condition of the package's `#gzip` import.
 */
import type { CompressionCodec } from './compression.js';

export const nativeGzip: CompressionCodec | null = null;
