"""A local wheel cache of incident-as-code and every package it installs, for installs without network.

`python tools/wheelhouse.py FOLDER` fills FOLDER with: the build tools (setuptools, wheel), this
checkout built as a wheel, every dependency of `incident-as-code[all]` at the versions of
constraints.txt, and pre-commit (the adoption trial runs the hook `init` writes). The first run
downloads from the package index once; later runs find everything in FOLDER and use no network
(`--no-index --find-links FOLDER`). Then a new virtual environment installs as the README says,
offline:

    python -m venv v && v/bin/pip install --no-index --find-links FOLDER 'FOLDER/incident_as_code-*.whl[all]'

Used by benchmarks/bench_install.py and tests/test_adoption_trial.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD_TOOLS = ("setuptools==80.9.0", "wheel==0.45.1")
EXTRA_PACKAGES = ("pre-commit",)  # pinned by constraints.txt


def _pip(*args: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-m", "pip", "--disable-pip-version-check", *args], capture_output=True, text=True, timeout=1200
    )


def _fetch(folder: Path, *requirements: str) -> None:
    """Into `folder`: offline when it already holds them, else from the package index."""
    common = ["download", "-d", str(folder), "-c", str(REPO / "constraints.txt"), "--find-links", str(folder)]
    if _pip(*common, "--no-index", *requirements).returncode == 0:
        return
    done = _pip(*common, *requirements)
    if done.returncode != 0:
        raise RuntimeError(f"pip download {' '.join(requirements)} failed:\n{done.stdout}{done.stderr}")


def wheel_of_this_checkout(folder: Path) -> Path:
    import shutil
    import tempfile

    from incidents import __version__

    wheel = folder / f"incident_as_code-{__version__}-py3-none-any.whl"
    with tempfile.TemporaryDirectory() as tmp:
        # Built from a copy of what the wheel holds: the build writes build/ and *.egg-info beside its
        # sources, and other builds (tests) may run in this checkout at the same time.
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
        shutil.copytree(REPO / "generator" / "incidents", src / "generator" / "incidents", ignore=ignore)
        done = _pip("wheel", "--no-deps", "--no-index", "--find-links", str(folder), "-w", str(out), str(src))
        built = out / wheel.name
        if done.returncode != 0 or not built.exists():
            raise RuntimeError(f"building the wheel failed:\n{done.stdout}{done.stderr}")
        shutil.move(str(built), str(wheel))  # always this checkout's code
    return wheel


def _stamp() -> str:
    """What the folder's contents depend on: the pins and the package's requirements."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("constraints.txt", "pyproject.toml"):
        digest.update((REPO / name).read_bytes())
    digest.update(repr((BUILD_TOOLS, EXTRA_PACKAGES)).encode())
    return digest.hexdigest()


def prepare(folder: Path) -> Path:
    """Fill `folder` (see the module's docstring); the path of this checkout's wheel."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / ".complete"
    complete = stamp.is_file() and stamp.read_text() == _stamp()
    if not complete:
        _fetch(folder, *BUILD_TOOLS)
    wheel = wheel_of_this_checkout(folder)
    if not complete:
        _fetch(folder, f"{wheel}[all]", *EXTRA_PACKAGES)
        _wheels_of_sources(folder)
        stamp.write_text(_stamp())
    return wheel


def _wheels_of_sources(folder: Path) -> None:
    """A package published only as a source archive (feedgen) is built into a wheel once, so an install
    from the folder builds nothing."""
    wheels = {p.name.split("-")[0].lower().replace("_", "-") for p in folder.glob("*.whl")}
    for sdist in folder.glob("*.tar.gz"):
        name = sdist.name.rsplit("-", 1)[0].lower().replace("_", "-")
        if name in wheels:
            continue
        done = _pip("wheel", "--no-deps", "--no-index", "--find-links", str(folder), "-w", str(folder), str(sdist))
        if done.returncode != 0:
            raise RuntimeError(f"building a wheel of {sdist.name} failed:\n{done.stdout}{done.stderr}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "generator"))
    print(prepare(Path(sys.argv[1]).resolve()))
