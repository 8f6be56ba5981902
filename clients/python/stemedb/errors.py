"""Failures of a call as one typed error: status code, the server's text, the field it names."""
import grpc

FIELD_TRAILER = "stemedb-field"
ERROR_TRAILER = "stemedb-error"
RETRY_AFTER_TRAILER = "stemedb-retry-after-ms"

_HINTS = {
    grpc.StatusCode.INVALID_ARGUMENT: "fix the named field and send again",
    grpc.StatusCode.UNAUTHENTICATED: "sign the record with a valid Ed25519 key; every signature must verify",
    grpc.StatusCode.PERMISSION_DENIED: "epochs and gold standards need a signature by a key the writer lists with --admin-key",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "slow down and retry (after the retry-after, if given)",
    grpc.StatusCode.NOT_FOUND: "check the id; pass min_offset if you just wrote it",
    grpc.StatusCode.DEADLINE_EXCEEDED: "the server did not answer in time; check a min_offset against the writer's head",
    grpc.StatusCode.OUT_OF_RANGE: "the offset is outside the log; Head shows the first and head offsets",
    grpc.StatusCode.UNAVAILABLE: "is the server running at that address? the call is safe to retry",
}


class StemeRpcError(Exception):
    """A failed call: `code` (grpc.StatusCode), `details`, `field` (dotted path), `error_name`, `retry_after_ms`."""

    def __init__(self, method, code, details, field=None, error_name=None, retry_after_ms=None):
        self.method, self.code, self.details = method, code, details
        self.field, self.error_name, self.retry_after_ms = field, error_name, retry_after_ms
        super().__init__(self.one_line())

    @property
    def hint(self):
        return _HINTS.get(self.code, "see docs/FORMAT.md 'Writing a client'")

    def one_line(self):
        field = "" if self.field is None else f" [field {self.field}]"
        return f"{self.code.name}: {self.details}{field} ({self.method}; hint: {self.hint})"


def from_grpc(err, method):
    """A StemeRpcError for a grpc.RpcError (trailers read for the field and error class)."""
    trailers = dict(err.trailing_metadata() or ()) if hasattr(err, "trailing_metadata") else {}
    retry = trailers.get(RETRY_AFTER_TRAILER)
    return StemeRpcError(method, err.code(), err.details() or "", trailers.get(FIELD_TRAILER), trailers.get(ERROR_TRAILER), int(retry) if retry else None)
