"""The Python client against real writer and reader processes (the built `stemedb` CLI from
dist/): every call, read-your-writes, errors with status, field and hint, Watch resuming
from an offset, and the quickstart example end to end."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import grpc  # noqa: E402

import stemedb  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CLI = os.path.join(ROOT, "dist", "services", "cli", "main.js")
READY_TIMEOUT_S = 60


def start(service, args):
    """Start `stemedb <service>` on port 0 and wait for its ready line; returns (process, address)."""
    env = dict(os.environ, STEMEDB_LOG_LEVEL="warn")
    p = subprocess.Popen(["node", CLI, service, *args, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    found = {}

    def read():
        for line in p.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("ready"):
                found["address"] = msg["address"]
                return

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(READY_TIMEOUT_S)
    if "address" not in found:
        p.kill()
        raise RuntimeError(f"{service} not ready after {READY_TIMEOUT_S} s")
    return p, found["address"]


def stop(p):
    p.terminate()
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


@unittest.skipUnless(os.path.exists(CLI), "run `make build` first (the live tests start dist/services/cli/main.js)")
class Live(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="stemedb-py-")
        cls.admin = stemedb.KeyPair(bytes([31] * 32))
        cls.writer_proc, cls.writer_addr = start("writer", ["--wal", os.path.join(cls.dir, "wal"), "--admin-key", cls.admin.public_key.hex()])
        cls.reader_proc, cls.reader_addr = start("reader", ["--data", os.path.join(cls.dir, "store"), "--writer", cls.writer_addr])
        cls.session = stemedb.Session()
        cls.writer = stemedb.WriterClient(cls.writer_addr, session=cls.session)
        cls.reader = stemedb.ReaderClient(cls.reader_addr, session=cls.session)

    @classmethod
    def tearDownClass(cls):
        cls.writer.close()
        cls.reader.close()
        stop(cls.reader_proc)
        stop(cls.writer_proc)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_quickstart_example_exits_0(self):
        r = subprocess.run([sys.executable, os.path.join(HERE, "..", "examples", "quickstart.py"), "--writer", self.writer_addr, "--reader", self.reader_addr], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.strip().endswith("ok"))

    def test_every_kind_every_read(self):
        agent = stemedb.KeyPair(bytes([32] * 32))
        a = stemedb.assertion("py:lagos", "population", stemedb.object_value("integer", 15388000), [agent], confidence=0.8)
        b = stemedb.assertion("py:lagos", "population", stemedb.object_value("integer", 16000000), [self.admin], confidence=0.8, source_hash=bytes.fromhex(a["source_hash"]))
        ra, rb = self.writer.append_batch([a, b])
        self.assertEqual(ra["id"], stemedb.record_id(a))
        ep = self.writer.append(stemedb.epoch("py-census", [self.admin], description="census"))
        self.assertEqual(ep["kind"], "epoch")
        gs = self.writer.append(stemedb.gold_standard("py:abuja", "country", stemedb.object_value("entity", "country:nigeria"), [self.admin]))
        self.assertEqual(gs["kind"], "gold_standard")
        tp = self.writer.append(stemedb.trust_pack("py-pack", [{"agent": self.admin.public_key, "weight": 1.0}, {"agent": agent.public_key, "weight": 0.1}], [agent]))
        results = list(self.writer.append_stream([stemedb.vote(ra["id"], -0.5, self.admin), stemedb.assertion("py:stream", "n", "x", [agent])]))
        self.assertEqual([i for i, _ in results], [0, 1])
        self.assertTrue(all(isinstance(r, dict) for _, r in results))

        authority = self.reader.resolve("py:lagos", "population", lens="authority", trust_pack_id=tp["id"])
        self.assertEqual(stemedb.object_from_proto(authority.resolution.object)["value"], "16000000")
        self.assertGreater(authority.served_at_offset, results[-1][1]["offset"])  # read-your-writes through the session
        self.assertEqual(len(list(self.reader.history("py:lagos", "population"))), 2)
        self.assertEqual(len(list(self.reader.by_source(bytes.fromhex(a["source_hash"])))), 2)
        self.assertEqual([r.predicate for r in self.reader.resolve_subject("py:lagos").resolutions], ["population"])
        self.assertGreater(len(self.reader.explain("py:lagos", "population").resolution.explanations), 0)
        self.assertIsInstance(list(self.reader.escalations()), list)
        stored = self.reader.get_assertion(ra["id"]).assertion
        self.assertEqual(stored.net_vote, -0.5)
        head = self.writer.head()
        records = list(self.writer.tail(0, until_offset=head["head_offset"]))
        self.assertEqual(records[0]["offset"], 0)
        for prev, cur in zip(records, records[1:]):
            self.assertEqual(cur["offset"], prev["next_offset"])
        kinds = {stemedb.decode_log_payload(r["payload"])[0]["kind"] for r in records}
        self.assertTrue({"assertion", "vote", "epoch", "gold_standard", "trust_pack"} <= kinds)
        self.assertGreaterEqual(self.reader.status().applied_offset, 0)

    def test_errors_name_status_field_and_hint(self):
        unsigned = dict(stemedb.assertion("py:e", "p", "o", [self.admin]), signatures=[])
        with self.assertRaises(stemedb.StemeRpcError) as cm:
            self.writer.append(unsigned)
        self.assertEqual(cm.exception.code, grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(cm.exception.field, "record.assertion.signatures")
        denied = stemedb.epoch("py-denied", [stemedb.KeyPair(bytes([33] * 32))])
        with self.assertRaises(stemedb.StemeRpcError) as cm:
            self.writer.append(denied)
        self.assertEqual(cm.exception.code, grpc.StatusCode.PERMISSION_DENIED)
        head = self.writer.head()["head_offset"]
        slow = stemedb.ReaderClient(self.reader_addr, deadline_s=3)
        try:
            with self.assertRaises(stemedb.StemeRpcError) as cm:
                slow.resolve("py:e", "p", min_offset=head + 9000)
        finally:
            slow.close()
        self.assertEqual(cm.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertRegex(cm.exception.details, rf"^min_offset {head + 9000} is past the log head {head}; waited \d+ ms$")

    def test_append_stream_sends_multi_record_requests_and_fails_only_a_bad_record(self):
        agent = stemedb.KeyPair(bytes([34] * 32))
        records = [stemedb.assertion("py:multi", f"p{i}", "o", [agent]) for i in range(300)]
        records[130] = dict(records[130], signatures=[])
        results = dict(self.writer.append_stream(records, message_records=128))
        self.assertEqual(sorted(results), list(range(300)))
        bad = results.pop(130)
        self.assertIsInstance(bad, stemedb.StemeRpcError)
        self.assertEqual(bad.code, grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(bad.field, "record.assertion.signatures")
        self.assertTrue(all(isinstance(r, dict) for r in results.values()))
        self.assertEqual(len({r["offset"] for r in results.values()}), 299)
        with self.assertRaises(ValueError):
            list(self.writer.append_stream(records[:1], message_records=1025))

    def test_watch_resumes_from_an_offset(self):
        agent = stemedb.KeyPair(bytes([34] * 32))
        first = self.writer.append(stemedb.assertion("py:w", "v", "one", [agent]))
        stream = self.reader.watch("py:w", "v")
        e1 = next(stream)
        self.assertEqual(stemedb.object_from_proto(e1.resolution.object)["value"], "one")
        self.writer.append(stemedb.assertion("py:other", "v", "x", [agent]))  # the log moves on elsewhere
        resumed = self.reader.watch("py:w", "v", from_offset=e1.served_at_offset)
        self.writer.append(stemedb.assertion("py:w", "v", "two", [agent], parent_hash=first["id"]))
        e2 = next(resumed)
        self.assertEqual(stemedb.object_from_proto(e2.resolution.object)["value"], "two")
        self.assertGreater(e2.served_at_offset, e1.served_at_offset)
        stream.close()
        resumed.close()


if __name__ == "__main__":
    unittest.main()
