"""Where things live. Everything else asks this module, so tests can point it elsewhere.

The project root is the folder holding ``pyproject.toml`` next to this package, unless the
environment variable ``OVERDOSE_PROJECT_ROOT`` names another one (tests use a temporary copy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "OVERDOSE_PROJECT_ROOT"


@dataclass(frozen=True)
class Paths:
    """The project's folders, all derived from one root."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def manifest(self) -> Path:
        return self.raw / "MANIFEST.json"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def project_paths(root: str | os.PathLike | None = None) -> Paths:
    """The project's paths: ``root`` if given, else ``$OVERDOSE_PROJECT_ROOT``, else this checkout."""
    if root is None:
        root = os.environ.get(ROOT_ENV) or Path(__file__).resolve().parent.parent
    return Paths(Path(root).resolve())
