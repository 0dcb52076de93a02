"""Starts a real Apache Kafka (KRaft) and a real PostgreSQL on this machine, without containers.

Everything lives under `.runtime/` (ignored by git): the broker jars resolved from Maven
Central, the data directories, logs and pid files. Every operation is idempotent, so `make up`
run twice is quick the second time and the test harness can call the same code.
"""
