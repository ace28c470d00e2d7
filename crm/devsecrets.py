"""Development secrets, generated once into the data folder and never committed.

Outside production a missing `SECRET_KEY`, `FIELD_ENCRYPTION_KEYS` or `BLIND_INDEX_KEY`
is taken from `<data dir>/dev-secrets.json`, created on first use with fresh random values,
so a new machine works out of the box and no key ever lives in the repository.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from pathlib import Path


def _new_secrets() -> dict[str, str]:
    key_id = "dev" + secrets.token_hex(2)
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def load_or_create(data_dir: Path) -> dict[str, str]:
    """Return the development secrets, creating the file (mode 0600) on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "dev-secrets.json"
    with open(data_dir / ".dev-secrets.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return json.loads(path.read_text())
        values = _new_secrets()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(values, handle, indent=2)
        return values
