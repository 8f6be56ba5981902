"""Record dicts (the JSON form) ⇄ protobuf messages, and log payloads (docs/FORMAT.md §5)."""
import struct

from .canonical import RECORD_TYPE, hex_bytes, sorted_entries
from ._stubs import records_pb2

ED25519 = 1  # SignatureAlgorithm.SIGNATURE_ALGORITHM_ED25519; the writer logs 1 on every signature

_OBJECT_FIELD = {"text": "text", "number": "number", "integer": "integer", "boolean": "boolean", "entity": "entity", "timestamp": "timestamp_ms", "bytes": "bytes"}
_OBJECT_KIND = {v: k for k, v in _OBJECT_FIELD.items()}


def object_to_proto(obj):
    kind = obj["kind"]
    v = obj["value"]
    if kind in ("integer", "timestamp"):
        v = int(v)
    elif kind == "bytes":
        v = hex_bytes(v, "object.value")
    elif kind == "number":
        v = float(v)
    return records_pb2.ObjectValue(**{_OBJECT_FIELD[kind]: v})


def object_from_proto(pb):
    case = pb.WhichOneof("value")
    v = getattr(pb, case)
    kind = _OBJECT_KIND[case]
    if kind in ("integer", "timestamp"):
        v = str(v)
    elif kind == "bytes":
        v = bytes(v).hex()
    return {"kind": kind, "value": v}


def _sig(s):
    return records_pb2.Signature(algorithm=ED25519, public_key=hex_bytes(s["public_key"], "public_key"), signature=hex_bytes(s["signature"], "signature"))


def _sig_json(s):
    return {"public_key": bytes(s.public_key).hex(), "signature": bytes(s.signature).hex()}


def record_to_proto(r):
    """A record dict as a stemedb.v1.Record message."""
    k = r["kind"]
    sigs = [_sig(s) for s in (r.get("signatures") or [])]
    if k == "assertion":
        a = records_pb2.Assertion(
            subject=r["subject"],
            predicate=r["predicate"],
            object=object_to_proto(r["object"]),
            confidence=float(r["confidence"]),
            source_hash=hex_bytes(r["source_hash"], "source_hash"),
            parent_hash=b"" if r.get("parent_hash") is None else hex_bytes(r["parent_hash"], "parent_hash"),
            epoch=r.get("epoch") or "",
            asserted_at_ms=int(r["asserted_at_ms"]),
            signatures=sigs,
        )
        if r.get("visual_hash") is not None:
            a.visual_hash = int(r["visual_hash"])
        return records_pb2.Record(assertion=a)
    if k == "vote":
        s = r.get("signature")
        return records_pb2.Record(vote=records_pb2.Vote(assertion_id=hex_bytes(r["assertion_id"], "assertion_id"), voter=hex_bytes(r["voter"], "voter"), value=float(r["value"]), cast_at_ms=int(r["cast_at_ms"]), signature=None if s is None else _sig(s)))
    if k == "epoch":
        return records_pb2.Record(epoch=records_pb2.Epoch(name=r["name"], description=r.get("description") or "", starts_at_ms=int(r["starts_at_ms"]), parent=r.get("parent") or "", signatures=sigs))
    if k == "gold_standard":
        return records_pb2.Record(gold_standard=records_pb2.GoldStandard(subject=r["subject"], predicate=r["predicate"], object=object_to_proto(r["object"]), created_at_ms=int(r["created_at_ms"]), signatures=sigs))
    if k == "agent_grant":
        g = records_pb2.AgentGrant(agent=hex_bytes(r["agent"], "agent"), granted_at_ms=int(r["granted_at_ms"]), signatures=sigs)
        if r.get("expires_at_ms") is not None:
            g.expires_at_ms = int(r["expires_at_ms"])
        return records_pb2.Record(agent_grant=g)
    if k == "agent_revoke":
        return records_pb2.Record(agent_revoke=records_pb2.AgentRevoke(agent=hex_bytes(r["agent"], "agent"), reason=r.get("reason") or "", revoked_at_ms=int(r["revoked_at_ms"]), signatures=sigs))
    entries = [records_pb2.TrustEntry(agent=hex_bytes(e["agent"], "agent"), weight=float(e["weight"])) for e in sorted_entries(r["entries"])]
    return records_pb2.Record(trust_pack=records_pb2.TrustPack(name=r["name"], entries=entries, created_at_ms=int(r["created_at_ms"]), learned=r.get("learned") is True, signatures=sigs))


def record_from_proto(pb):
    """A stemedb.v1.Record (or Assertion) message as a record dict."""
    if isinstance(pb, records_pb2.Assertion):
        pb = records_pb2.Record(assertion=pb)
    k = pb.WhichOneof("kind")
    m = getattr(pb, k)
    sigs = [_sig_json(s) for s in getattr(m, "signatures", [])]
    if k == "assertion":
        return {
            "kind": k,
            "subject": m.subject,
            "predicate": m.predicate,
            "object": object_from_proto(m.object),
            "confidence": m.confidence,
            "source_hash": bytes(m.source_hash).hex(),
            "visual_hash": str(m.visual_hash) if m.HasField("visual_hash") else None,
            "parent_hash": bytes(m.parent_hash).hex() or None,
            "epoch": m.epoch or None,
            "asserted_at_ms": m.asserted_at_ms,
            "signatures": sigs,
        }
    if k == "vote":
        return {"kind": k, "assertion_id": bytes(m.assertion_id).hex(), "voter": bytes(m.voter).hex(), "value": m.value, "cast_at_ms": m.cast_at_ms, "signature": _sig_json(m.signature) if m.HasField("signature") else None}
    if k == "epoch":
        return {"kind": k, "name": m.name, "description": m.description, "starts_at_ms": m.starts_at_ms, "parent": m.parent or None, "signatures": sigs}
    if k == "gold_standard":
        return {"kind": k, "subject": m.subject, "predicate": m.predicate, "object": object_from_proto(m.object), "created_at_ms": m.created_at_ms, "signatures": sigs}
    if k == "agent_grant":
        return {"kind": k, "agent": bytes(m.agent).hex(), "granted_at_ms": m.granted_at_ms, "expires_at_ms": m.expires_at_ms if m.HasField("expires_at_ms") else None, "signatures": sigs}
    if k == "agent_revoke":
        return {"kind": k, "agent": bytes(m.agent).hex(), "reason": m.reason, "revoked_at_ms": m.revoked_at_ms, "signatures": sigs}
    out = {"kind": k, "name": m.name, "entries": [{"agent": bytes(e.agent).hex(), "weight": e.weight} for e in m.entries], "created_at_ms": m.created_at_ms, "signatures": sigs}
    if m.learned:
        out["learned"] = True
    return out


PAYLOAD_HEADER_BYTES = 8


def encode_log_payload(record, appended_at_ms, traceparent=""):
    """A log payload: type byte, flags 0, 6 reserved zero bytes, then the LogEntry protobuf."""
    entry = records_pb2.LogEntry(appended_at_ms=appended_at_ms, traceparent=traceparent, record=record_to_proto(record))
    return struct.pack("<BB6x", RECORD_TYPE[record["kind"]], 0) + entry.SerializeToString()


def decode_log_payload(payload):
    """(record dict, appended_at_ms, traceparent) of a log payload; checks the header."""
    payload = bytes(payload)
    if len(payload) < PAYLOAD_HEADER_BYTES or payload[1] != 0 or any(payload[2:8]):
        raise ValueError("bad log payload header")
    entry = records_pb2.LogEntry.FromString(payload[PAYLOAD_HEADER_BYTES:])
    record = record_from_proto(entry.record)
    if RECORD_TYPE[record["kind"]] != payload[0]:
        raise ValueError("log payload type byte does not match the record kind")
    return record, entry.appended_at_ms, entry.traceparent
