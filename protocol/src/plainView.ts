/**
 * A plain Uint8Array view of a Node Buffer (zlib's, a native addon's), so callers that compare and
 * store byte arrays get one class whatever the codec. Isomorphic: no Node API.
 */
export const plainView = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
