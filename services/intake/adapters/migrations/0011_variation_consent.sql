-- A variation of conditions needs the person's consent (Criminal Justice Act 2003 Part 3; `law.VARIATION`): the
-- decision that varies them records that it was given. NULL: the decision varied nothing (and those recorded before).
ALTER TABLE breach_decisions ADD COLUMN person_consented_to_variation boolean;
