"""Canonical bytes and ids of records (docs/FORMAT.md §2-§3).

Records are plain dicts in the JSON form of docs/FORMAT.md §7: proto field names,
`kind` naming the record kind, bytes as lowercase hex, 64-bit integer and timestamp
objects and `visual_hash` as decimal strings (ints accepted), absent optionals None
or missing. The same dicts are what `stemedb hash` and `stemedb append` read.
"""
import struct

from .blake3 import blake3

FORMAT_VERSION = 1
RECORD_TYPE = {"assertion": 0, "vote": 1, "epoch": 2, "gold_standard": 3, "trust_pack": 4, "agent_grant": 5, "agent_revoke": 6}
OBJECT_KIND = {"text": 0, "number": 1, "integer": 2, "boolean": 3, "entity": 4, "timestamp": 5, "bytes": 6}
HASH_BYTES = 32


class RecordError(ValueError):
    """A record dict that cannot be encoded; `field` is the dotted path, as the servers name it."""

    def __init__(self, field, reason):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _u8(x):
    return struct.pack("<B", x)


def _u32(x):
    return struct.pack("<I", x)


def _i64(x):
    return struct.pack("<q", int(x))


def _u64(x):
    return struct.pack("<Q", int(x))


def _f64(x):
    x = float(x)
    return struct.pack("<d", 0.0 if x == 0 else x)  # -0 is written as +0


def _str(s):
    b = s.encode("utf-8")
    return _u32(len(b)) + b


def _bytes(b):
    return _u32(len(b)) + b


def hex_bytes(value, field, length=None):
    """Bytes from hex text (or bytes as they are), checking the length."""
    b = bytes(value) if isinstance(value, (bytes, bytearray)) else bytes.fromhex(value)
    if length is not None and len(b) != length:
        raise RecordError(field, f"must be exactly {length} bytes (got {len(b)})")
    return b


def _raw32(value, field):
    return hex_bytes(value, field, HASH_BYTES)


def _opt(value, encode):
    return b"\x00" if value is None or value == "" else b"\x01" + encode(value)


def object_bytes(obj, field="object"):
    """An object's canonical bytes: its kind byte, then the value."""
    kind = obj.get("kind")
    if kind not in OBJECT_KIND:
        raise RecordError(f"{field}.kind", f"must be one of {', '.join(OBJECT_KIND)}")
    v = obj["value"]
    head = _u8(OBJECT_KIND[kind])
    if kind in ("text", "entity"):
        return head + _str(v)
    if kind == "number":
        return head + _f64(v)
    if kind in ("integer", "timestamp"):
        return head + _i64(int(v))
    if kind == "boolean":
        return head + _u8(1 if v else 0)
    return head + _bytes(hex_bytes(v, f"{field}.value"))


def sorted_entries(entries):
    return sorted(entries, key=lambda e: hex_bytes(e["agent"], "agent", HASH_BYTES))


def canonical_bytes(record):
    """The bytes a record's id is computed over (signatures excluded)."""
    kind = record.get("kind")
    if kind not in RECORD_TYPE:
        raise RecordError("record.kind", f"must be one of {', '.join(RECORD_TYPE)}")
    out = _u8(FORMAT_VERSION) + _u8(RECORD_TYPE[kind])
    at = f"record.{kind}"
    if kind == "assertion":
        out += _str(record["subject"]) + _str(record["predicate"]) + object_bytes(record["object"], f"{at}.object")
        out += _f64(record["confidence"]) + _raw32(record["source_hash"], f"{at}.source_hash")
        out += _opt(record.get("visual_hash"), _u64)
        out += _opt(record.get("parent_hash"), lambda v: _raw32(v, f"{at}.parent_hash"))
        out += _opt(record.get("epoch"), _str)
        out += _i64(record["asserted_at_ms"])
    elif kind == "vote":
        out += _raw32(record["assertion_id"], f"{at}.assertion_id") + _raw32(record["voter"], f"{at}.voter")
        out += _f64(record["value"]) + _i64(record["cast_at_ms"])
    elif kind == "epoch":
        out += _str(record["name"]) + _str(record.get("description") or "") + _i64(record["starts_at_ms"])
        out += _opt(record.get("parent"), _str)
    elif kind == "gold_standard":
        out += _str(record["subject"]) + _str(record["predicate"]) + object_bytes(record["object"], f"{at}.object")
        out += _i64(record["created_at_ms"])
    elif kind == "agent_grant":
        out += _raw32(record["agent"], f"{at}.agent") + _i64(record["granted_at_ms"])
        out += _opt(record.get("expires_at_ms"), _i64)
    elif kind == "agent_revoke":
        out += _raw32(record["agent"], f"{at}.agent") + _str(record.get("reason") or "") + _i64(record["revoked_at_ms"])
    else:
        entries = sorted_entries(record["entries"])
        out += _str(record["name"]) + _i64(record["created_at_ms"]) + _u32(len(entries))
        for e in entries:
            out += _raw32(e["agent"], f"{at}.entries.agent") + _f64(e["weight"])
        # A learned pack (admin-signed truth discovery) ends with one marker byte;
        # an ordinary pack has none, so its bytes and id are what they always were.
        if record.get("learned") is True:
            out += _u8(1)
    return out


def record_id(record):
    """The record's 32-byte id: BLAKE3-256 of its canonical bytes."""
    return blake3(canonical_bytes(record))
