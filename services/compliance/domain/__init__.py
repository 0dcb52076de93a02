"""Compliance's pure domain: breach rules as data, the referral state machine, case outcomes. No I/O."""
