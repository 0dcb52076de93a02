"""Intake's doors: the HTTP API, the Kafka command consumer and the key-management CLI."""
