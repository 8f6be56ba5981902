"""stemedb: a Python client of StemeDB.

Records are dicts in the JSON form of docs/FORMAT.md §7; `canonical_bytes`,
`record_id`, `sign` and `cosign` compute exactly what the servers do (pure-Python
BLAKE3, Ed25519 via PyNaCl). `WriterClient` and `ReaderClient` make the calls;
a shared `Session` gives read-your-writes. See clients/python/README.md.
"""
from .blake3 import blake3
from .canonical import RecordError, canonical_bytes, object_bytes, record_id
from .client import LENS, ReaderClient, Session, WriterClient
from .convert import decode_log_payload, encode_log_payload, object_from_proto, record_from_proto, record_to_proto
from .errors import StemeRpcError
from .records import assertion, epoch, gold_standard, object_value, trust_pack, vote
from .signing import KeyPair, cosign, read_key_file, sign, signing_message, verify, write_key_file

__all__ = [
    "blake3", "RecordError", "canonical_bytes", "object_bytes", "record_id", "LENS", "ReaderClient", "Session", "WriterClient",
    "decode_log_payload", "encode_log_payload", "object_from_proto", "record_from_proto", "record_to_proto", "StemeRpcError",
    "assertion", "epoch", "gold_standard", "object_value", "trust_pack", "vote",
    "KeyPair", "cosign", "read_key_file", "sign", "signing_message", "verify", "write_key_file",
]
