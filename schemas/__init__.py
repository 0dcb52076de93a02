"""The shared event contract: every message that crosses a service boundary is defined here.

Services depend on this package and on nothing of each other's. Changing a `.v1` model in a way
that breaks an existing consumer is caught by `tests/unit/schemas/test_compatibility.py`.
"""
