"""The router's pure domain: the agency catalogue, working days, and matching needs to agencies. No I/O."""
