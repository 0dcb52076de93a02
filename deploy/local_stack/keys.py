"""The local stack's key-encryption key for personal data: the development stand-in for a KMS key.

Generated once with Tink and kept in `.runtime/keys/` (0600); intake and compliance read it
(`PERSONAL_DATA_KEK_URI`). Losing it makes every case's personal data unreadable, as erasing it would.
"""

from __future__ import annotations

from pathlib import Path

from deploy.local_stack.runtime import RUNTIME_DIR, write_private
from platform_plumbing.personal_data import LOCAL_SCHEME, new_kek_keyset

KEK_FILE = RUNTIME_DIR / "keys" / "personal-data-kek.json"


def ensure_kek(path: Path = KEK_FILE) -> str:
    """Create the KEK unless it exists; return the URI the services are given."""
    if not path.exists():
        write_private(path, new_kek_keyset())
    return f"{LOCAL_SCHEME}{path}"
