"""Compliance: the agencies' gateway, tracking every referral to completion or breach, and the outcomes
police systems act on."""
