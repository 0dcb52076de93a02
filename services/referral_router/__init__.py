"""Referral router: assessed needs in, referrals to partner agencies out, re-routed on decline or silence."""
