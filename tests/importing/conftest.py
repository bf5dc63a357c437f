import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "statuspage"
sys.path.insert(0, str(HERE))


@pytest.fixture
def root(tmp_path):
    """A fresh incidents root with the import tests' small policy and an empty incidents/ folder."""
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "root", target)
    (target / "incidents").mkdir()
    return target
