"""`make bench`: the platform end to end against the raw ceiling of the same machine."""
