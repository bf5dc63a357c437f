"""`incidents init`: turn an empty (or existing) git repository into a working incidents repository.

`plan(root, options)` lists the files to write (path -> text; the list is in `files.py`, one line
per file); `apply(...)` writes the ones that do not exist yet - never overwriting, never through a
symlink that leads out of the root, each write atomic - registers the merge driver in the
repository's git config, and reports what it wrote, what it kept, what it refused and what is
still wrong (`problems`: a kept file that leaves the repository unable to pass the gate or build).

May import every layer below the operations, and the other operations (`init
--from-statuspage` imports a history); never the CLI or the plugin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from incidents.scaffold.check import problems
from incidents.scaffold.files import SCHEMA_FILE, SCHEMES, InitError, Options, check_url, plan, record_schema
from incidents.scaffold.gitsetup import (
    MERGE_DRIVER,
    GitError,
    configure_merge_driver,
    default_branch,
    ensure_repository,
)
from incidents.scaffold.install import Pin, installed_pin
from incidents.scaffold.safety import escape, read_inside, write_new


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # `path: why` (a symlink leading out of the root)
    git: list[str] = field(default_factory=list)  # what was done in git (init, config)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what to check by hand in a kept file
    branch: str | None = None  # the default branch the workflows deploy from (HEAD's branch here)
    pin: Pin | None = None
    site_url: str | None = None


def refresh_schema(root: Path) -> None:
    """Rewrite the editor schema from the repository's policy (after an import added services)."""
    if escape(root, SCHEMA_FILE) or escape(root, "policy/policy.yml") or escape(root, "policy/services.yml"):
        return
    text = record_schema(
        (root / "policy" / "policy.yml").read_text(encoding="utf-8"),
        (root / "policy" / "services.yml").read_text(encoding="utf-8"),
    )
    path = root / SCHEMA_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write(root: Path, files: dict[str, str], result: InitResult) -> None:
    for rel, text in files.items():
        why = escape(root, rel)
        if why:
            result.refused.append(f"{rel}: {why}")
            continue
        path = root / rel
        if path.exists() or path.is_symlink():
            result.kept.append(rel)
            continue
        try:
            write_new(path, text)
        except FileExistsError:
            result.kept.append(rel)
            continue
        except OSError as exc:
            raise InitError(f"cannot write {rel}: {exc.strerror or exc}") from None
        result.written.append(rel)


def apply(
    root: Path, name: str | None = None, scheme: str = "sev", site_url: str | None = None, pin: Pin | None = None
) -> InitResult:
    """Write what is missing under `root` (created if needed); never overwrite a file."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is not a folder")
    if scheme not in SCHEMES:
        raise InitError(f"unknown scheme `{scheme}`; use one of {', '.join(SCHEMES)}")
    if site_url is not None:
        site_url = check_url(site_url)
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    result = InitResult(root, pin=pin or installed_pin(), site_url=site_url)
    try:
        result.git += ensure_repository(root)
        done, kept = configure_merge_driver(root)
    except GitError as exc:
        raise InitError(str(exc)) from None
    result.git += done
    result.kept += kept
    result.branch = default_branch(root)
    files = plan(root, Options(name or f"{root.name} status", scheme, site_url, result.pin))
    _write(root, files, result)
    result.notes += _kept_gitignore(root, result)
    result.problems = problems(root)
    return result


IGNORED = ("_site/", "site/", ".notify-state/")  # build outputs and the notify state


def _kept_gitignore(root: Path, result: InitResult) -> list[str]:
    """A team's own .gitignore is kept: say which of the entries init would have written it lacks."""
    if ".gitignore" not in result.kept:
        return []
    text = read_inside(root, ".gitignore") or ""
    present = {line.strip().strip("/") for line in text.splitlines()}
    missing = [entry for entry in IGNORED if entry.strip("/") not in present]
    if not missing:
        return []
    return [f".gitignore (kept) does not ignore {', '.join(missing)}: add them (build outputs and notify state)"]


__all__ = [
    "MERGE_DRIVER",
    "SCHEMA_FILE",
    "InitError",
    "InitResult",
    "Options",
    "apply",
    "plan",
    "problems",
    "refresh_schema",
]
