-- What a financial penalty in varied conditions is capped by (SI 2013/615, 608): the offence's mode of trial
-- and the person's age at the offence, kept with the case from its decision.
ALTER TABLE cases ADD COLUMN mode_of_trial text, ADD COLUMN age_at_offence int;
