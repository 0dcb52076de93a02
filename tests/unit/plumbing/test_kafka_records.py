"""Record batches whose header names are not UTF-8 are read, not choked on (issue 22): aiokafka's own reader
raises on them while unpacking a fetch, for every fetch, for ever."""

from __future__ import annotations

import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder, _DefaultRecordBatchBuilderPy
from aiokafka.record.memory_records import MemoryRecords

from benchmarks.outside import RawHeaderName
from platform_plumbing.kafka_records import TolerantMemoryRecords

GZIP = 1


def batch_with_a_bad_name(compression: int = 0) -> bytes:
    builder = _DefaultRecordBatchBuilderPy(2, compression, 0, -1, -1, -1, 1 << 20)
    builder.append(0, timestamp=None, key=b"k0", value=b"v0", headers=[("ok", b"1")])
    builder.append(1, timestamp=None, key=b"k1", value=b"v1", headers=[(RawHeaderName(b"\xff\xfe"), b"2")])
    builder.append(2, timestamp=None, key=b"k2", value=b"v2", headers=[("ok", b"3")])
    return bytes(builder.build())


def records(reader, data: bytes) -> list[tuple]:
    batch = reader(data).next_batch()
    return [(record.offset, record.key, record.headers) for record in batch]


def test_aiokafkas_own_reader_chokes_on_such_a_batch():
    with pytest.raises(UnicodeDecodeError):
        records(MemoryRecords, batch_with_a_bad_name())


@pytest.mark.parametrize("compression", [0, GZIP])
def test_every_record_of_the_batch_is_read_and_the_bad_name_kept_as_surrogates(compression):
    assert records(TolerantMemoryRecords, batch_with_a_bad_name(compression)) == [
        (0, b"k0", [("ok", b"1")]),
        (1, b"k1", [("\udcff\udcfe", b"2")]),
        (2, b"k2", [("ok", b"3")]),
    ]


def test_a_good_batch_is_read_by_aiokafkas_compiled_reader_as_before():
    builder = DefaultRecordBatchBuilder(2, 0, 0, -1, -1, -1, 1 << 20)
    builder.append(0, timestamp=None, key=b"k", value=b"v", headers=[("ce_id", b"1")])
    data = bytes(builder.build())

    assert records(TolerantMemoryRecords, data) == records(MemoryRecords, data) == [(0, b"k", [("ce_id", b"1")])]
