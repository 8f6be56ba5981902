/**
 * The index form of an object value: the text component that PO keys carry
 * (docs/STORAGE.md "Query indexes"). Equal values (objectsEqual) have equal
 * forms and different values different ones: it is the lens library's
 * `objectKey` (`text:Naypyidaw`, `integer:15388000`, `entity:city:naypyidaw`),
 * except that a form longer than OBJECT_INDEX_FORM_BYTES_MAX is replaced by
 * `blake3:` and the BLAKE3 of the form in hex, so every PO key fits the store's
 * key size. (No objectKey starts with `blake3:`; a hashed form can only be
 * shared by two values through a BLAKE3 collision, and the query engine
 * compares the resolved values themselves anyway.)
 */
import { blake3 } from '../domain/hash';
import type { ObjectValue } from '../domain/types';
import { objectKey } from '../lens/object-value';
import { OBJECT_INDEX_FORM_BYTES_MAX } from './limits';

export function objectIndexForm(v: ObjectValue): string {
  const form = objectKey(v);
  if (Buffer.byteLength(form, 'utf8') <= OBJECT_INDEX_FORM_BYTES_MAX) return form;
  return `blake3:${blake3(Buffer.from(form, 'utf8')).toString('hex')}`;
}
