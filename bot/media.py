"""The evidence photos, kept outside Telegram: each file named by the SHA-256 of its content, so
a file changed afterwards no longer matches its name and is reported as altered."""

from __future__ import annotations

import hashlib
import os
import tempfile
from enum import StrEnum
from pathlib import Path


class PhotoState(StrEnum):
    INTACT = "intact"
    ALTERED = "altered"
    MISSING = "missing"


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        # Two levels, so no folder holds hundreds of thousands of files.
        return self.root / digest[:2] / digest

    def save(self, content: bytes) -> str:
        """Store the content once; returns its SHA-256, the name it is kept under."""
        digest = hashlib.sha256(content).hexdigest()
        path = self.path_of(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a crash never leaves half a photo under a valid name.
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        return digest

    def read(self, digest: str) -> bytes | None:
        path = self.path_of(digest)
        return path.read_bytes() if path.exists() else None

    def check(self, digest: str) -> PhotoState:
        content = self.read(digest)
        if content is None:
            return PhotoState.MISSING
        if hashlib.sha256(content).hexdigest() != digest:
            return PhotoState.ALTERED
        return PhotoState.INTACT
