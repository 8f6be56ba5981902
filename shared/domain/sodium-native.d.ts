/**
 * The part of sodium-native 5 (libsodium bindings) that StemeDB uses. The
 * package ships no types.
 */
declare module 'sodium-native' {
  /** libsodium's `crypto_sign_verify_detached`: true when `signature` is valid for `message` under `publicKey`. */
  export function crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
