"""Say, before the test run, whether the browser tests will run or be skipped."""

from __future__ import annotations

import os
import shutil

path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
if os.path.exists(path) or shutil.which(path):
    print(f"Browser tests: using Chromium at {path}.")
else:
    print(
        f"Browser tests: SKIPPED, no Chromium at {path}. "
        "Install Debian's `chromium` package or set CHROMIUM=/path/to/chromium."
    )
