-- Intake keeps no personal details: it seals them under the case's data key (kept wrapped in the
-- keyring schema) and publishes them sealed; it never read this table, so it goes, with what it held
-- in clear.
DROP TABLE IF EXISTS case_personal_details;
