"""Intake's adapters: SQL for cases, assessments, history and idempotency keys."""
