"""Plumbing every service shares: settings, Kafka producer and broker setup, topic creation,
PostgreSQL pool and migrations, the transactional outbox and its relay, the inbox, dead letters
and the transactional batch consumer that ties inbox, state change and offset commit together.
"""
