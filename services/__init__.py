"""The platform's services; each owns a PostgreSQL schema and shares only events with the others."""
