"""What `init` pins: the way this copy of incident-as-code was installed, as a pip requirement tail.

The written workflows install `incident-as-code[EXTRA]<PIN>`; PIN is `==VERSION` when the
package came from a package index, `@ git+URL@COMMIT` when it came from a git URL or from a
clone with a remote (pip records both in the distribution's `direct_url.json`, PEP 610). A
copy installed from a wheel file or a folder without a remote cannot be fetched by CI: the pin
is then `==VERSION` and `note` says what to change.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from incidents import __version__

DISTRIBUTION = "incident-as-code"


@dataclass(frozen=True)
class Pin:
    tail: str  # what follows the requirement's name (and extras): `==0.3.0` or ` @ git+URL@COMMIT`
    source: str  # how it was installed, in words
    note: str | None = None  # what the team must check before CI can install it


def _git(folder: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def _https(url: str) -> str | None:
    """A remote URL CI can clone without credentials (https), or None."""
    if url.startswith("git@github.com:"):
        url = "https://github.com/" + url.split(":", 1)[1]
    if not url.startswith("https://"):
        return None
    return url.removesuffix("/")


def _from_folder(folder: Path) -> Pin | None:
    commit = _git(folder, "rev-parse", "HEAD")
    remote = _git(folder, "remote", "get-url", "origin")
    url = _https(remote) if remote else None
    if not commit or not url:
        return None
    dirty = _git(folder, "status", "--porcelain", "--untracked-files=no")
    note = f"installed from {folder} with uncommitted changes; CI installs commit {commit[:12]}" if dirty else None
    return Pin(f" @ git+{url}@{commit}", f"the clone {folder} (commit {commit[:12]} of {url})", note)


def pin_from_direct_url(direct: dict | None, version: str = __version__) -> Pin:
    """The pin for a distribution whose `direct_url.json` is `direct` (None: from an index)."""
    index = Pin(f"=={version}", f"the package index (version {version})")
    if not direct:
        return index
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return Pin(f" @ git+{url}@{vcs['commit_id']}", f"{url} (commit {str(vcs['commit_id'])[:12]})")
    parsed = urlparse(url)
    if parsed.scheme == "file" and "dir_info" in direct:
        found = _from_folder(Path(unquote(parsed.path)))
        if found:
            return found
    where = unquote(parsed.path) if parsed.scheme == "file" else url
    return Pin(
        f"=={version}",
        f"{where}",
        note=(
            f"this copy was installed from {where}, which CI cannot fetch; the workflows install "
            f"incident-as-code=={version} from the package index: change INCIDENTS_PIN in "
            ".github/workflows/incidents.yml to where your CI can install it from "
            "(e.g. ` @ git+https://github.com/OWNER/incident-as-code@COMMIT`)"
        ),
    )


def installed_pin() -> Pin:
    """How this copy was installed, as a pin for CI."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return pin_from_direct_url(None)
    text = dist.read_text("direct_url.json")
    try:
        direct = json.loads(text) if text else None
    except ValueError:
        direct = None
    return pin_from_direct_url(direct if isinstance(direct, dict) else None)


def requirement(extras: str = "", pin: Pin | None = None) -> str:
    """`incident-as-code[extras]<pin>`, as pip takes it."""
    pin = pin or installed_pin()
    name = f"{DISTRIBUTION}[{extras}]" if extras else DISTRIBUTION
    return name + pin.tail
