"""Intake's pure domain: the force's policy, eligibility rules, deadlines. No I/O."""
