"""The local stack's Kafka cluster id: StorageTool reads an id that starts with "-" as an option and refuses to
format (a CI run failed on one), so no id the stack makes may start with one."""

import uuid
from unittest import mock

from deploy.local_stack import kafka


def test_an_id_that_would_start_with_a_dash_is_drawn_again():
    dash_first = uuid.UUID(bytes=b"\xf8" + bytes(15))  # base64url of 0xf8... begins with "-"
    plain = uuid.UUID(bytes=b"\x00" + bytes(15))
    with mock.patch.object(kafka.uuid, "uuid4", side_effect=[dash_first, dash_first, plain]):
        cluster_id = kafka._new_cluster_id()
    assert cluster_id == "AAAAAAAAAAAAAAAAAAAAAA"


def test_ids_are_16_bytes_of_base64url():
    for _ in range(500):
        cluster_id = kafka._new_cluster_id()
        assert len(cluster_id) == 22 and not cluster_id.startswith("-")
