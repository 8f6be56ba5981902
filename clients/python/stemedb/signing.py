"""Ed25519 signing of records (docs/FORMAT.md §4) and key files (§8), with PyNaCl.

The signed message is the ASCII tag "stemedb/v1/<kind>" followed by the 32-byte id.
"""
import json
import os

import nacl.exceptions
import nacl.signing

from .canonical import hex_bytes, record_id

SIGNATURES_MAX = 16


class KeyPair:
    """An Ed25519 key pair from its 32-byte seed; `public_key` is the agent id."""

    def __init__(self, seed):
        if len(seed) != 32:
            raise ValueError(f"an Ed25519 seed is 32 bytes (got {len(seed)})")
        self.seed = bytes(seed)
        self._key = nacl.signing.SigningKey(self.seed)
        self.public_key = bytes(self._key.verify_key)

    @classmethod
    def generate(cls):
        return cls(os.urandom(32))

    def sign(self, message):
        return self._key.sign(message).signature


def signing_message(kind, rid):
    return b"stemedb/v1/" + kind.encode("ascii") + bytes(rid)


def _signatures(record):
    if record["kind"] == "vote":
        s = record.get("signature")
        return [] if s is None else [s]
    return list(record.get("signatures") or [])


def _with_signatures(record, sigs):
    out = dict(record)
    if record["kind"] == "vote":
        out["signature"] = sigs[0] if sigs else None
    else:
        out["signatures"] = sigs
    return out


def sign(record, keys):
    """The record with a signature by every key added (keys that already signed are skipped)."""
    rid = record_id(record)
    sigs = _signatures(record)
    have = {hex_bytes(s["public_key"], "public_key").hex() for s in sigs}
    for k in keys:
        if k.public_key.hex() in have:
            continue
        have.add(k.public_key.hex())
        sigs.append({"public_key": k.public_key.hex(), "signature": k.sign(signing_message(record["kind"], rid)).hex()})
    if len(sigs) > SIGNATURES_MAX:
        raise ValueError(f"at most {SIGNATURES_MAX} signatures (got {len(sigs)})")
    return _with_signatures(record, sigs)


def cosign(record, keys):
    """`record` (e.g. fetched from a reader) signed by `keys` only: what a co-signer appends.

    Earlier signatures need not be resent: the reader merges signers by record id.
    """
    return sign(_with_signatures(record, []), keys)


def verify(record):
    """True when every signature verifies (and there is at least one)."""
    rid = record_id(record)
    sigs = _signatures(record)
    if not sigs:
        return False
    for s in sigs:
        try:
            nacl.signing.VerifyKey(hex_bytes(s["public_key"], "public_key", 32)).verify(signing_message(record["kind"], rid), hex_bytes(s["signature"], "signature", 64))
        except (nacl.exceptions.BadSignatureError, ValueError):
            return False
    return True


def read_key_file(path):
    """A key pair from a file written by `stemedb keygen` (docs/FORMAT.md §8)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("algorithm") != "ed25519":
        raise ValueError(f"{path}: algorithm must be ed25519")
    kp = KeyPair(bytes.fromhex(data["private_key"]))
    if kp.public_key.hex() != data["public_key"].lower():
        raise ValueError(f"{path}: public_key is not the key of private_key")
    return kp


def write_key_file(path, kp):
    """Write `kp` as `stemedb keygen` does: mode 0600, never over an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps({"algorithm": "ed25519", "public_key": kp.public_key.hex(), "private_key": kp.seed.hex()}) + "\n")
