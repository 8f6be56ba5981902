/**
 * Strict UTF-8 for protobuf strings.
 *
 * The generated code (ts-proto over `@bufbuild/protobuf/wire`) reads strings with
 * `reader.string()`, which by default replaces invalid UTF-8 with U+FFFD. A record
 * whose subject silently changed on the way in would get a different id than
 * the client computed, so we make every decode fatal instead: invalid UTF-8 in
 * any string field throws, and the converters report it as a decode error.
 *
 * `BinaryReader` captures the decoder when it is constructed, so this must run
 * before the first decode: proto-convert.ts and log-payload.ts call it at load.
 */
import { configureTextEncoding, getTextEncoding } from '@bufbuild/protobuf/wire';

let installed = false;

/** Make every protobuf string decode fatal on invalid UTF-8. Idempotent. */
export function installStrictUtf8Decoding(): void {
  if (installed) return;
  const current = getTextEncoding();
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  configureTextEncoding({
    encodeUtf8: current.encodeUtf8,
    encodeUtf8Into: current.encodeUtf8Into,
    checkUtf8: current.checkUtf8,
    // The `strict` flag is ignored on purpose: decoding is always strict.
    decodeUtf8: (bytes: Uint8Array) => fatal.decode(bytes),
  });
  installed = true;
}
