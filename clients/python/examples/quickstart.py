#!/usr/bin/env python3
"""StemeDB from Python in one page: assert, vote, co-sign, resolve with read-your-writes.

    /usr/bin/python3 clients/python/examples/quickstart.py --writer 127.0.0.1:7070 --reader 127.0.0.1:7071

Exits 0 when every step did what it should; prints each step.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import stemedb  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writer", required=True, help="the writer's HOST:PORT")
    ap.add_argument("--reader", required=True, help="a reader's HOST:PORT")
    args = ap.parse_args()

    alice, bob, carol = stemedb.KeyPair.generate(), stemedb.KeyPair.generate(), stemedb.KeyPair.generate()
    session = stemedb.Session()  # shared: every read waits for this session's last write
    writer = stemedb.WriterClient(args.writer, session=session)
    reader = stemedb.ReaderClient(args.reader, session=session)
    subject = f"quickstart:{alice.public_key.hex()[:12]}"

    claim = stemedb.assertion(subject, "colour", stemedb.object_value("text", "blue"), [alice], confidence=0.9)
    receipt = writer.append(claim)
    print(f"asserted  {subject} colour = blue   id {receipt['id'].hex()[:16]}… at offset {receipt['offset']}")
    assert receipt["id"] == stemedb.record_id(claim), "the writer's id is the client's id"

    rival = stemedb.assertion(subject, "colour", stemedb.object_value("text", "green"), [carol], confidence=0.6)
    writer.append(rival)
    print("asserted  a rival claim: green (confidence 0.6)")

    vote = stemedb.vote(receipt["id"], 1.0, bob)
    writer.append(vote)
    print("voted     +1 on blue (bob)")

    cosigned = stemedb.cosign(reader.get_record(receipt["id"]), [bob])
    again = writer.append(cosigned)
    assert again["id"] == receipt["id"], "a co-signature keeps the id"
    print(f"co-signed blue (bob), same id, at offset {again['offset']}")

    answer = reader.resolve(subject, "colour")  # min_offset = the session's last receipt
    r = answer.resolution
    winner = stemedb.object_from_proto(r.object)["value"] if r.HasField("object") else None
    print(f"resolved  {subject} colour -> {winner}  (share {r.share:.3f}, served at offset {answer.served_at_offset})")
    assert answer.served_at_offset > again["offset"], "read-your-writes: the answer includes the co-signature"
    assert winner == "blue", f"expected blue to win, got {winner}"

    stored = reader.get_assertion(receipt["id"]).assertion
    signers = sorted(bytes(s.public_key).hex() for s in stored.assertion.signatures)
    assert signers == sorted([alice.public_key.hex(), bob.public_key.hex()]), "both signers are merged"
    assert len(stored.votes) == 1 and stored.net_vote == 1.0
    print(f"stored    2 signers, 1 vote, net vote {stored.net_vote}")
    writer.close()
    reader.close()
    print("ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except stemedb.StemeRpcError as err:
        print(f"quickstart: {err.one_line()}", file=sys.stderr)
        sys.exit(1)
