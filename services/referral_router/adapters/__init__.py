"""The router's adapters: SQL for cases, needs, referrals, exclusions, disclosures and the catalogue."""
