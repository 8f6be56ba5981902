"""Builders for record dicts (the JSON form), signed by the keys given."""
import time

from .blake3 import blake3
from .canonical import object_bytes, sorted_entries
from .signing import sign


def _now_ms():
    return int(time.time() * 1000)


def object_value(kind, value):
    """{"kind": ..., "value": ...}: text, number, integer, boolean, entity, timestamp (ms), bytes (hex)."""
    if kind in ("integer", "timestamp"):
        value = str(int(value))
    elif kind == "bytes" and isinstance(value, (bytes, bytearray)):
        value = bytes(value).hex()
    return {"kind": kind, "value": value}


def assertion(subject, predicate, obj, keys, confidence=1.0, source_hash=None, visual_hash=None, parent_hash=None, epoch=None, asserted_at_ms=None):
    """A signed assertion. `source_hash` defaults to BLAKE3 of the object's canonical bytes."""
    if isinstance(obj, str):
        obj = object_value("text", obj)
    if source_hash is None:
        source_hash = blake3(object_bytes(obj))
    record = {
        "kind": "assertion",
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "confidence": confidence,
        "source_hash": source_hash.hex() if isinstance(source_hash, (bytes, bytearray)) else source_hash,
        "visual_hash": None if visual_hash is None else str(visual_hash),
        "parent_hash": parent_hash.hex() if isinstance(parent_hash, (bytes, bytearray)) else parent_hash,
        "epoch": epoch,
        "asserted_at_ms": _now_ms() if asserted_at_ms is None else asserted_at_ms,
        "signatures": [],
    }
    return sign(record, keys)


def vote(assertion_id, value, key, cast_at_ms=None):
    record = {"kind": "vote", "assertion_id": bytes(assertion_id).hex(), "voter": key.public_key.hex(), "value": value, "cast_at_ms": _now_ms() if cast_at_ms is None else cast_at_ms, "signature": None}
    return sign(record, [key])


def epoch(name, keys, description="", starts_at_ms=None, parent=None):
    return sign({"kind": "epoch", "name": name, "description": description, "starts_at_ms": _now_ms() if starts_at_ms is None else starts_at_ms, "parent": parent, "signatures": []}, keys)


def gold_standard(subject, predicate, obj, keys, created_at_ms=None):
    return sign({"kind": "gold_standard", "subject": subject, "predicate": predicate, "object": obj, "created_at_ms": _now_ms() if created_at_ms is None else created_at_ms, "signatures": []}, keys)


def trust_pack(name, entries, keys, created_at_ms=None):
    """`entries`: [{"agent": hex or bytes, "weight": 0..1}]."""
    entries = [{"agent": e["agent"].hex() if isinstance(e["agent"], (bytes, bytearray)) else e["agent"], "weight": e["weight"]} for e in entries]
    return sign({"kind": "trust_pack", "name": name, "entries": sorted_entries(entries), "created_at_ms": _now_ms() if created_at_ms is None else created_at_ms, "signatures": []}, keys)
