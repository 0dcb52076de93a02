-- The router's explanation of each placement, kept with the referral so that the diversion team's case page can say
-- why an agency was chosen, why no agency could take a need, or who placed it by hand and why (the router owns the
-- decision; this is its own words, copied from the referral event, never re-derived). No personal details: the
-- router writes it from the catalogue, and a hand placement's reason is asked for without any.
ALTER TABLE referrals ADD COLUMN explanation text;
