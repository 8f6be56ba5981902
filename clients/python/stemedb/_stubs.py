"""The generated protobuf and gRPC modules (stemedb/v1/*_pb2*.py), with a clear error when missing.

Generate them from the repository root with `make python-client` (Debian's
protobuf-compiler >= 3.15 and protobuf-compiler-grpc; see clients/python/README.md).
"""
try:
    from .v1 import reader_pb2, reader_pb2_grpc, records_pb2, writer_pb2, writer_pb2_grpc  # noqa: F401
except ImportError as err:  # pragma: no cover - a set-up mistake, not a code path
    raise ImportError(
        "stemedb: the generated protobuf modules are missing or were built by an old protoc "
        "(proto3 `optional` needs protoc >= 3.15). From the repository root run `make python-client` "
        f"(needs protobuf-compiler and protobuf-compiler-grpc). Cause: {err}"
    ) from err
