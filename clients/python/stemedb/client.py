"""WriterClient and ReaderClient: the same high-level calls as the TypeScript client.

* Appends retry on UNAVAILABLE and DEADLINE_EXCEEDED (records are content-addressed:
  sending one again never changes the graph; with idempotent appends the writer
  returns the original receipt).
* A Session shared by a writer and a reader client carries the last receipt's offset,
  which every query sends as min_offset unless told otherwise (read-your-writes).
* watch() resumes by offset when the stream ends (server drain, connection recycling)
  or breaks, so every change arrives once, offsets strictly increasing.
"""
import random
import re
import time

import grpc

from ._stubs import reader_pb2, reader_pb2_grpc, writer_pb2, writer_pb2_grpc
from .convert import record_from_proto, record_to_proto
from .errors import StemeRpcError, from_grpc

CALL_DEADLINE_S = 10.0
RETRY_ATTEMPTS_MAX = 5
RETRY_BACKOFF_S_INITIAL = 0.1
RETRY_BACKOFF_S_MAX = 5.0
STREAM_RECONNECTS_MAX = 20
APPEND_STREAM_MESSAGE_RECORDS = 128  # records per AppendStream request (the writer takes 1..1024)
RECORD_HEADER_BYTES = 40  # docs/WAL.md: next offset = offset + 40 + payload length
_CHANNEL_OPTIONS = [("grpc.max_send_message_length", 4 * 1024 * 1024), ("grpc.max_receive_message_length", 16 * 1024 * 1024)]
_APPEND_RETRY = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_KIND = {1: "assertion", 2: "vote", 3: "epoch", 4: "gold_standard", 5: "trust_pack", 6: "agent_grant", 7: "agent_revoke"}
LENS = {"consensus": 1, "recency": 2, "authority": 3, "threshold": 4}


def _backoff(n):
    base = min(RETRY_BACKOFF_S_MAX, RETRY_BACKOFF_S_INITIAL * 2 ** (n - 1))
    return base / 2 + random.random() * base / 2


class Session:
    """The offset of the newest receipt seen; queries wait for it (min_offset)."""

    def __init__(self):
        self.min_offset = None

    def observe(self, offset):
        if self.min_offset is None or offset > self.min_offset:
            self.min_offset = offset


def receipt_of(r):
    return {"id": bytes(r.id), "offset": r.offset, "next_offset": r.next_offset, "kind": _KIND.get(r.kind, str(r.kind))}


def _call(method, name, request, deadline_s, retry_on=(), attempts=RETRY_ATTEMPTS_MAX):
    for attempt in range(1, attempts + 1):
        try:
            return method(request, timeout=deadline_s)
        except grpc.RpcError as raw:
            err = from_grpc(raw, name)
            if err.code not in retry_on or attempt == attempts:
                raise err from None
            time.sleep(_backoff(attempt))


class WriterClient:
    def __init__(self, address, session=None, deadline_s=CALL_DEADLINE_S, attempts=RETRY_ATTEMPTS_MAX):
        self.session = session or Session()
        self._channel = grpc.insecure_channel(address, options=_CHANNEL_OPTIONS)
        self._stub = writer_pb2_grpc.WriterServiceStub(self._channel)
        self._deadline_s, self._attempts = deadline_s, attempts

    def _noted(self, r):
        receipt = receipt_of(r)
        self.session.observe(receipt["offset"])
        return receipt

    def append(self, record):
        """Append one signed record dict; returns its receipt {id, offset, next_offset, kind}."""
        res = _call(self._stub.Append, "Append", writer_pb2.AppendRequest(record=record_to_proto(record)), self._deadline_s, _APPEND_RETRY, self._attempts)
        return self._noted(res.receipt)

    def append_batch(self, records):
        """Append 1..1024 records atomically; receipts in order."""
        res = _call(self._stub.AppendBatch, "AppendBatch", writer_pb2.AppendBatchRequest(records=[record_to_proto(r) for r in records]), self._deadline_s, _APPEND_RETRY, self._attempts)
        return [self._noted(r) for r in res.receipts]

    def append_stream(self, records, message_records=APPEND_STREAM_MESSAGE_RECORDS):
        """Append many records over one AppendStream; yields (index, receipt or StemeRpcError) as results arrive.

        Records go message_records (1..1024) per request, in the multi-record `batch` shape: the writer
        admits each request as one batch and answers it record by record, so a bad record yields its own
        error (field named as for append, e.g. record.assertion.confidence) and its neighbours their
        receipts. A refusal of a whole request (quota, overload) yields that error for each of its records.
        """
        if not 1 <= message_records <= 1024:
            raise ValueError(f"message_records must be 1..1024 (got {message_records})")
        chunks = {}  # sequence -> (index of its first record, records in it)

        def requests():
            chunk, first = [], 0
            for i, r in enumerate(records):
                chunk.append(record_to_proto(r))
                if len(chunk) == message_records:
                    yield self._stream_request(chunks, first, chunk)
                    chunk, first = [], i + 1
            if chunk:
                yield self._stream_request(chunks, first, chunk)

        try:
            for res in self._stub.AppendStream(requests()):
                first, count = chunks.pop(res.sequence)
                outcomes = list(res.results.results) if res.HasField("results") and res.WhichOneof("result") is None else [res] * count
                for k, o in enumerate(outcomes):
                    yield first + k, self._stream_outcome(o)
        except grpc.RpcError as raw:
            raise from_grpc(raw, "AppendStream") from None

    @staticmethod
    def _stream_request(chunks, first, chunk):
        sequence = first + 1  # the index of its first record, + 1: unique per request
        chunks[sequence] = (first, len(chunk))
        if len(chunk) == 1:
            return writer_pb2.AppendStreamRequest(sequence=sequence, record=chunk[0])
        return writer_pb2.AppendStreamRequest(sequence=sequence, batch=writer_pb2.AppendStreamBatch(records=chunk))

    def _stream_outcome(self, o):
        if o.WhichOneof("result") == "receipt":
            return self._noted(o.receipt)
        e = o.error
        field = re.sub(r"^batch\.records\[\d+\]", "record", e.field) if e.field else None
        return StemeRpcError("AppendStream", grpc.StatusCode(_status(e.code)), e.message, field)

    def head(self):
        h = _call(self._stub.Head, "Head", writer_pb2.HeadRequest(), self._deadline_s, (grpc.StatusCode.UNAVAILABLE,), self._attempts)
        return {"head_offset": h.head_offset, "first_offset": h.first_offset, "segments": [{"base_offset": s.base_offset, "end_offset": s.end_offset, "file_name": s.file_name} for s in h.segments]}

    def tail(self, from_offset=0, until_offset=None):
        """Log records (offset, next_offset, payload bytes) from a record boundary, resuming by offset when the stream ends."""
        nxt, failures = from_offset, 0
        while until_offset is None or nxt < until_offset:
            try:
                for msg in self._stub.Tail(writer_pb2.TailRequest(from_offset=nxt)):
                    failures = 0
                    for r in msg.records:
                        nxt = r.offset + RECORD_HEADER_BYTES + len(r.payload)
                        yield {"offset": r.offset, "next_offset": nxt, "payload": bytes(r.payload)}
                        if until_offset is not None and nxt >= until_offset:
                            return
            except grpc.RpcError as raw:
                err = from_grpc(raw, "Tail")
                failures += 1
                if err.code != grpc.StatusCode.UNAVAILABLE or failures > STREAM_RECONNECTS_MAX:
                    raise err from None
                time.sleep(_backoff(failures))

    def close(self):
        self._channel.close()


def _status(code):
    for c in grpc.StatusCode:
        if c.value[0] == code:
            return c.value
    return grpc.StatusCode.UNKNOWN.value


class ReaderClient:
    def __init__(self, address, session=None, deadline_s=CALL_DEADLINE_S, attempts=RETRY_ATTEMPTS_MAX):
        self.session = session or Session()
        self._channel = grpc.insecure_channel(address, options=_CHANNEL_OPTIONS)
        self._stub = reader_pb2_grpc.ReaderServiceStub(self._channel)
        self._deadline_s, self._attempts = deadline_s, attempts

    def _min_offset(self, min_offset):
        """The offset to wait for: the call's own, else the session's; False = do not wait."""
        if min_offset is False:
            return None
        return self.session.min_offset if min_offset is None else min_offset

    def options(self, lens=None, min_offset=None, as_of_offset=None, epoch="", trust_pack_id=b"", include_superseded=False, min_share=None):
        o = reader_pb2.QueryOptions(lens=LENS[lens] if lens else 0, epoch=epoch, trust_pack_id=trust_pack_id, include_superseded=include_superseded)
        m = self._min_offset(min_offset)
        if m is not None:
            o.min_offset = m
        if as_of_offset is not None:
            o.as_of_offset = as_of_offset
        if min_share is not None:
            o.min_share = min_share
        return o

    def _unary(self, name, request):
        return _call(getattr(self._stub, name), name, request, self._deadline_s, (grpc.StatusCode.UNAVAILABLE,), self._attempts)

    def resolve(self, subject, predicate, **q):
        """ResolveResponse (resolution, served_at_offset, from_materialized_view)."""
        return self._unary("Resolve", reader_pb2.ResolveRequest(subject=subject, predicate=predicate, options=self.options(**q)))

    def explain(self, subject, predicate, **q):
        return self._unary("Explain", reader_pb2.ExplainRequest(subject=subject, predicate=predicate, options=self.options(**q)))

    def resolve_subject(self, subject, **q):
        return self._unary("ResolveSubject", reader_pb2.ResolveSubjectRequest(subject=subject, options=self.options(**q)))

    def get_assertion(self, rid, min_offset=None, as_of_offset=None):
        """GetAssertionResponse; `.assertion.assertion` as a record dict: record_from_proto(...)."""
        req = reader_pb2.GetAssertionRequest(id=bytes(rid))
        m = self._min_offset(min_offset)
        if m is not None:
            req.min_offset = m
        if as_of_offset is not None:
            req.as_of_offset = as_of_offset
        return self._unary("GetAssertion", req)

    def get_record(self, rid, **kw):
        """The assertion with id `rid` as a record dict (every signer merged)."""
        return record_from_proto(self.get_assertion(rid, **kw).assertion.assertion)

    def history(self, subject, predicate, page_size=0, **q):
        """Yields StoredAssertion messages in log order."""
        try:
            for page in self._stub.History(reader_pb2.HistoryRequest(subject=subject, predicate=predicate, options=self.options(**q), page_size=page_size), timeout=self._deadline_s):
                yield from page.assertions
        except grpc.RpcError as raw:
            raise from_grpc(raw, "History") from None

    def by_source(self, source_hash, page_size=0, min_offset=None):
        token, req_min, as_of = "", self._min_offset(min_offset), None
        while True:
            req = reader_pb2.BySourceRequest(source_hash=bytes(source_hash), page_size=page_size, page_token=token)
            if req_min is not None:
                req.min_offset = req_min
            if as_of is not None:
                req.as_of_offset = as_of
            res = self._unary("BySource", req)
            yield from res.assertions
            token, req_min, as_of = res.next_page_token, None, res.served_at_offset
            if not token:
                return

    def escalations(self, subject="", page_size=0, min_offset=None):
        token, req_min = "", self._min_offset(min_offset)
        while True:
            req = reader_pb2.ListEscalationsRequest(subject=subject, page_size=page_size, page_token=token)
            if req_min is not None:
                req.min_offset = req_min
            res = self._unary("ListEscalations", req)
            yield from res.escalations
            token, req_min = res.next_page_token, None
            if not token:
                return

    def watch(self, subject, predicate, from_offset=None, reconnects_max=STREAM_RECONNECTS_MAX, **q):
        """Yields WatchResponse messages: the current resolution, then each change; resumes by offset."""
        first, failures = True, 0
        while True:
            opts = self.options(**q) if first else self.options(**{**q, "min_offset": False})
            req = reader_pb2.WatchRequest(subject=subject, predicate=predicate, options=opts)
            if from_offset is not None:
                req.from_offset = from_offset
            try:
                for m in self._stub.Watch(req):
                    first, failures = False, 0
                    if from_offset is not None and m.served_at_offset <= from_offset:
                        continue
                    from_offset = m.served_at_offset
                    yield m
            except grpc.RpcError as raw:
                err = from_grpc(raw, "Watch")
                if err.code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
                    raise err from None
            failures += 1
            if failures > reconnects_max:
                raise StemeRpcError("Watch", grpc.StatusCode.UNAVAILABLE, f"gave up after {reconnects_max} reconnects")
            time.sleep(_backoff(failures))

    def status(self):
        return self._unary("Status", reader_pb2.StatusRequest())

    def close(self):
        self._channel.close()
