"""Compliance's use cases: follow referrals, apply agency updates, conclude cases, answer reports."""
