-- Keys may expire, and record when they were last used (to the minute).
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz, ADD COLUMN last_used_at timestamptz;
