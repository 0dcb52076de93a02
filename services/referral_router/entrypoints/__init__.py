"""The router's doors: its Kafka subscriptions, its timers, and a small HTTP API for health and agencies."""
