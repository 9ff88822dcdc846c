// The one Node API crc32c.node.ts uses; the package is isomorphic, so its build has no Node types.
declare module 'node:module' {
  export function createRequire(path: string | URL): (id: string) => unknown;
}
