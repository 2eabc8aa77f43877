"""Print pip constraints (``name==version``) from the pins in environment.yml.

``make`` installs the kit with these constraints so that local runs, CI and Binder share one
set of versions. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Packages that exist only on conda-forge or are not Python packages.
_CONDA_ONLY = {"python", "pip", "spacy-model-en_core_web_sm"}
_PIN = re.compile(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*=\s*([0-9][^\s#]*)")


def pins(path: Path) -> dict[str, str]:
    """Return ``{package: version}`` for every pinned conda dependency in *path*."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match and match.group(1) not in _CONDA_ONLY:
            found[match.group(1)] = match.group(2)
    return found


def main() -> int:
    env = Path(sys.argv[1] if len(sys.argv) > 1 else "environment.yml")
    for name, version in pins(env).items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
