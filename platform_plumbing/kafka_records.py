"""Reading Kafka record batches whose header names are not UTF-8, instead of stalling on them.

Kafka's protocol says a header's name is a string, but the broker does not check it: any client may write a
name of arbitrary bytes. aiokafka decodes every name as strict UTF-8 while it unpacks a fetched batch, so one
such record makes every `getmany` of its consumer raise `UnicodeDecodeError` — for every partition, for ever
(found in issue 22: one record from a police force's own login stopped intake). No code of ours ever sees the
record, so no code of ours could dead-letter it.

`tolerate_unreadable_header_names()` makes the consumers of this process read batches through
`TolerantMemoryRecords`: each batch is still unpacked by aiokafka's compiled reader, and only when that
raises on a header's name is the same batch read again by its pure-Python reader, from the record where the
compiled one stopped, with each undecodable byte of a name kept as a lone surrogate (`surrogateescape`). The
record then reaches the service like any other, where the envelope refuses it (a header's name that is not
UTF-8) and it is dead-lettered. This reaches into aiokafka's fetcher (`aiokafka==0.14.0`, pinned): a unit test
unpacks such a batch and an integration test sends one to a running consumer.
"""

from __future__ import annotations

from typing import Any

import aiokafka.consumer.fetcher as fetcher
from aiokafka.record.default_records import DefaultRecordBatch, _DefaultRecordBatchPy
from aiokafka.record.memory_records import _MemoryRecordsPy
from aiokafka.record.util import decode_varint_py


def tolerate_unreadable_header_names() -> None:
    """Make every consumer of this process unpack fetched records with `TolerantMemoryRecords`."""
    fetcher.MemoryRecords = TolerantMemoryRecords


class TolerantMemoryRecords(_MemoryRecordsPy):
    """A fetch response's batches, each read as `TolerantBatch` (format v2) or as aiokafka reads it (older)."""

    def next_batch(self, *args: Any) -> Any:
        data = self._next_slice
        batch = super().next_batch(*args)
        return TolerantBatch(data, batch) if isinstance(batch, DefaultRecordBatch) else batch


class TolerantBatch:
    """One v2 batch: aiokafka's compiled reader for as long as it can, then `_LenientBatch` for the rest."""

    def __init__(self, data: memoryview, fast: DefaultRecordBatch) -> None:
        self._data = data
        self._fast = fast
        self._read = 0
        self._lenient: _LenientBatch | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fast, name)

    def __iter__(self) -> TolerantBatch:
        iter(self._fast)
        return self

    def __next__(self) -> Any:
        if self._lenient is None:
            try:
                record = next(self._fast)
            except UnicodeDecodeError:
                self._lenient = iter(_LenientBatch(self._data))
                for _ in range(self._read):
                    next(self._lenient)
            else:
                self._read += 1
                return record
        return next(self._lenient)


class _LenientBytes(bytes):
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return super().decode(encoding, "surrogateescape")


class _LenientBuffer(bytearray):
    """A batch's bytes whose slices decode leniently: what aiokafka's reader decodes are header names only."""

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return _LenientBytes(item) if isinstance(index, slice) else item


class _LenientBatch(_DefaultRecordBatchPy):
    """aiokafka's pure-Python reader of a v2 batch, over a buffer whose header names decode leniently."""

    def __init__(self, buffer: memoryview) -> None:
        super().__init__(buffer)
        self._buffer = _LenientBuffer(self._buffer)

    def _maybe_uncompress(self) -> None:
        super()._maybe_uncompress()
        if not isinstance(self._buffer, _LenientBuffer):
            self._buffer = _LenientBuffer(self._buffer)

    def _read_msg(self, decode_varint: Any = decode_varint_py) -> Any:
        return super()._read_msg(decode_varint_py)
