"""Shared by every test: `tools/` (the manual's generator, `reference`) is importable as MkDocs' hook sees it."""

import sys
from pathlib import Path

TOOLS = str(Path(__file__).resolve().parents[1] / "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)


import os  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache_folder(tmp_path_factory):
    """The cache of read records lives in the user cache folder ($XDG_CACHE_HOME): tests keep theirs in a
    folder of the session, never in the real one."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved
