"""Compliance's adapters: SQL for cases, conditions, referrals, updates, signals, clients and the audit log."""
