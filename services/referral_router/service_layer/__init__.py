"""The router's use cases: place needs, re-route on decline or silence, cancel, release capacity."""
