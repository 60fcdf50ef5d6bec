"""Search texts and files for secrets, plain and base64-encoded."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def forms(secret: str) -> list[str]:
    """The secret as it may appear: plain, base64 and URL-safe base64 (padding stripped)."""
    raw = secret.encode()
    encoded = {secret, base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return sorted(encoded)


@dataclass(frozen=True)
class Hit:
    """Where a secret was found."""

    where: str
    secret_prefix: str
    form: str


def search_text(where: str, text: str, secrets: Iterable[str]) -> list[Hit]:
    """Every secret form found in ``text``."""
    hits: list[Hit] = []
    for secret in secrets:
        for form in forms(secret):
            if form in text:
                hits.append(Hit(where, secret[:6] + "...", "plain" if form == secret else "base64"))
    return hits


def search_files(paths: Iterable[Path], secrets: Iterable[str]) -> tuple[int, int, list[Hit]]:
    """Search every file; returns (files searched, bytes searched, hits)."""
    wanted = list(secrets)
    files = size = 0
    hits: list[Hit] = []
    for path in paths:
        if not path.is_file():
            continue
        data = path.read_bytes()
        files += 1
        size += len(data)
        hits += search_text(str(path), data.decode("utf-8", errors="replace"), wanted)
    return files, size, hits
