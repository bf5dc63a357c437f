"""Shared by every test: `tools/` (the manual's generator, `reference`) is importable as MkDocs' hook sees it."""

import sys
from pathlib import Path

TOOLS = str(Path(__file__).resolve().parents[1] / "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)
