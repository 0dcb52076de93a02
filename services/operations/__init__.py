"""Operations: what the operations team uses every day — the `diversion` CLI over topics and read models."""
