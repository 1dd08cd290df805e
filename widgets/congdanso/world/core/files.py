"""Files of the world (uploaded and signed PDFs), kept by content hash next to the journal.

Signing is not reproducible byte for byte (pyHanko stamps the wall-clock time), so a signed PDF
is stored once under its SHA-256 and the journal records the hash; replay reads it back and checks
the hash. Nothing here is ever overwritten or deleted.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore:
    MAX_READ = 20 * 1024 * 1024  # what a checker reads of one file, at most

    def __init__(self, folder: Path | None, *, read_only: bool = False):
        self.folder = folder
        self.read_only = read_only  # a checker reads the folder and never writes to it
        self.missing: set[str] = set()  # hashes asked for and not found in the folder
        self._memory: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        digest = sha256(data)
        self._memory[digest] = data
        if self.folder is not None and not self.read_only:
            path = self.folder / f"{digest}.bin"
            if not path.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                partial.write_bytes(data)
                os.replace(partial, path)
        return digest

    def get(self, digest: str) -> bytes | None:
        if digest in self._memory:
            return self._memory[digest]
        if self.folder is not None:
            path = self.folder / f"{digest}.bin"
            if path.exists():
                data = self._read(path)
                if data is not None and sha256(data) == digest:
                    self._memory[digest] = data
                    return data
            self.missing.add(digest)
        return None

    def made(self, recipe: dict, make) -> bytes:
        """The bytes ``make()`` returns for ``recipe`` (a document made deterministically from
        these inputs), kept under the recipe's hash: a lesson that replays the journal reads the
        PDF back instead of loading fpdf2 and fontTools again (about 50 MiB in each kernel). A
        checker (read-only: the grader, the live view) always makes the bytes itself, so no file
        in a learner's folder decides what a recipe gives."""
        import json

        if self.read_only or self.folder is None:
            return make()
        key = sha256(json.dumps(recipe, sort_keys=True, ensure_ascii=False).encode())
        ref = self.folder / f"cong-thuc-{key}.ref"
        try:
            known = ref.read_text("ascii").strip() if ref.is_file() else ""
        except (OSError, UnicodeDecodeError):
            known = ""
        data = self.get(known) if len(known) == 64 else None
        if data is not None:
            return data
        data = make()
        digest = self.put(data)
        partial = ref.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(digest, "ascii")
        os.replace(partial, ref)
        return data

    def _read(self, path: Path) -> bytes | None:
        """A checker (the grader, the live view) may have more rights than the folder's owner:
        it reads regular files only, follows no link and opens no FIFO."""
        if not self.read_only:
            return path.read_bytes()
        from congdanso.grading.safefiles import TooBig, read_regular

        try:
            return read_regular(path, self.MAX_READ)
        except (OSError, TooBig):
            return None
