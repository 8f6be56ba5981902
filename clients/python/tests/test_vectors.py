"""Every test vector of docs/FORMAT.md §9 against the Python client: canonical bytes, ids,
signatures (deterministic Ed25519 from the seeds), the signing message, the log payload,
and BLAKE3 across chunk and tree boundaries against values from the servers' BLAKE3."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import stemedb  # noqa: E402

FORMAT_MD = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "FORMAT.md")


def blocks(tag):
    with open(FORMAT_MD, encoding="utf-8") as f:
        text = f.read()
    return [json.loads(b) for b in re.findall(r"```json " + tag + r"\n(.*?)```", text, re.S)]


SEED1 = stemedb.KeyPair(bytes([1] * 32))
SEED2 = stemedb.KeyPair(bytes([2] * 32))

# BLAKE3 of bytes(i % 251 for i in range(n)), computed by the servers' implementation (blake3-wasm).
BLAKE3_EXPECTED = {
    0: "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    1: "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
    63: "e9bc37a594daad83be9470df7f7b3798297c3d834ce80ba85d6e207627b7db7b",
}


class FormatVectors(unittest.TestCase):
    def test_found_every_block(self):
        self.assertEqual(len(blocks("test-vector")), 14)
        self.assertEqual(len(blocks("signature-vector")), 1)
        self.assertEqual(len(blocks("payload-vector")), 1)

    def test_canonical_bytes_and_ids(self):
        for v in blocks("test-vector"):
            with self.subTest(v["name"]):
                self.assertEqual(stemedb.canonical_bytes(v["record"]).hex(), v["canonical"])
                self.assertEqual(stemedb.record_id(v["record"]).hex(), v["id"])

    def test_signatures_are_reproduced_and_verify(self):
        for v in blocks("test-vector"):
            with self.subTest(v["name"]):
                record = v["record"]
                self.assertTrue(stemedb.verify(record))
                keys = [SEED1, SEED2] if v["name"] == "assertion-all-optionals" else [SEED1]
                unsigned = dict(record, **({"signature": None} if record["kind"] == "vote" else {"signatures": []}))
                resigned = stemedb.sign(unsigned, keys)
                want = [record["signature"]] if record["kind"] == "vote" else record["signatures"]
                got = [resigned["signature"]] if record["kind"] == "vote" else resigned["signatures"]
                self.assertEqual(got, want)

    def test_a_changed_field_changes_the_id_and_breaks_the_signature(self):
        v = blocks("test-vector")[0]
        changed = dict(v["record"], confidence=0.8)
        self.assertNotEqual(stemedb.record_id(changed).hex(), v["id"])
        self.assertFalse(stemedb.verify(changed))

    def test_admission_vectors(self):
        vectors = blocks("admission-vector")
        self.assertEqual(len(vectors), 3)
        for v in vectors:
            with self.subTest(v["name"]):
                self.assertEqual(stemedb.canonical_bytes(v["record"]).hex(), v["canonical"])
                self.assertEqual(stemedb.record_id(v["record"]).hex(), v["id"])
                self.assertTrue(stemedb.verify(v["record"]))
                self.assertEqual(stemedb.sign(dict(v["record"], signatures=[]), [SEED1])["signatures"], v["record"]["signatures"])

    def test_signature_vector(self):
        (s,) = blocks("signature-vector")
        kp = stemedb.KeyPair(bytes.fromhex(s["seed"]))
        self.assertEqual(kp.public_key.hex(), s["public_key"])
        message = stemedb.signing_message(s["kind"], bytes.fromhex(s["id"]))
        self.assertEqual(message.hex(), s["message"])
        self.assertEqual(kp.sign(message).hex(), s["signature"])

    def test_payload_vector(self):
        (p,) = blocks("payload-vector")
        payload = stemedb.encode_log_payload(p["record"], p["appended_at_ms"], p["traceparent"])
        self.assertEqual(payload.hex(), p["payload"])
        record, appended_at_ms, traceparent = stemedb.decode_log_payload(bytes.fromhex(p["payload"]))
        self.assertEqual(appended_at_ms, p["appended_at_ms"])
        self.assertEqual(stemedb.record_id(record), stemedb.record_id(p["record"]))
        self.assertEqual(record["signatures"], p["record"]["signatures"])

    def test_proto_round_trip_keeps_the_id(self):
        for v in blocks("test-vector"):
            with self.subTest(v["name"]):
                back = stemedb.record_from_proto(stemedb.record_to_proto(v["record"]))
                self.assertEqual(stemedb.record_id(back).hex(), v["id"])

    def test_blake3_across_chunk_and_tree_boundaries(self):
        for n, want in {**BLAKE3_EXPECTED, **BLAKE3_MORE}.items():
            with self.subTest(n=n):
                self.assertEqual(stemedb.blake3(bytes(i % 251 for i in range(n))).hex(), want)


BLAKE3_MORE = {
    64: "4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98",
    65: "de1e5fa0be70df6d2be8fffd0e99ceaa8eb6e8c93a63f2d8d1c30ecb6b263dee",
    1023: "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
    1024: "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
    1025: "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
    2048: "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
    2049: "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030",
    3072: "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2",
    4097: "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995",
    8193: "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b",
    10240: "dccc225642830d32489c56d1e65478fb790324dc9ebbcc0de9aaa64944e6fe7e",
}
