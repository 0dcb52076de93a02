"""Compliance's doors: the agency gateway (HTTP), its Kafka consumer, the deadline timer, the key CLI."""
