declare module 'z32' {
  /** z-base-32 encoding as used across the Hypercore stack. */
  export function encode(buf: Uint8Array | string): string
  /** Throws on characters outside the alphabet. */
  export function decode(s: string): Buffer
  export const ALPHABET: string
}
