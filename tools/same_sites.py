"""Are the demo sites of two revisions the same, byte for byte?

    python tools/same_sites.py OLD_REV [NEW_REV]     (NEW_REV defaults to HEAD)

Each revision is cloned into a temporary folder and both demo sites (`mkdocs.yml`,
`mkdocs.internal.yml`) are built there with the same SOURCE_DATE_EPOCH, using the code of that
revision. A revision from before the package was named `incidents` (its code in `generator/`
as a package of its own) gets a one-line shim so that the plugin entry point finds its class.
Prints the files that differ and exits 1 when any does; a refactoring must print nothing.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EPOCH = "1796000000"
SHIM = "from generator.mkdocs_plugin.plugin import IncidentsPlugin  # noqa: F401\n"


def build(rev: str, work: Path) -> Path:
    clone = work / f"clone-{rev}"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
    paths = [str(clone / "generator")]
    if not (clone / "generator" / "incidents").is_dir():
        shim = work / f"shim-{rev}" / "incidents" / "mkdocs_plugin"
        shim.mkdir(parents=True)
        for init in (shim.parent / "__init__.py", shim / "__init__.py"):
            init.write_text("")
        (shim / "plugin.py").write_text(SHIM)
        paths = [str(shim.parents[1]), str(clone)]
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, NO_MKDOCS_2_WARNING="1", PYTHONPATH=os.pathsep.join(paths))
    out = work / f"out-{rev}"
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    for config, folder in (("mkdocs.yml", "public"), ("mkdocs.internal.yml", "internal")):
        subprocess.run([*mkdocs, "-f", config, "-d", str(out / folder)], cwd=clone, env=env, check=True)
    return out


def differences(a: Path, b: Path) -> list[str]:
    out: list[str] = []
    cmp = filecmp.dircmp(a, b)
    out += [f"only in {a}: {n}" for n in cmp.left_only] + [f"only in {b}: {n}" for n in cmp.right_only]
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    out += [f"differs: {a / n}" for n in mismatch + errors]
    for sub in cmp.common_dirs:
        out += differences(a / sub, b / sub)
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    old, new = argv[0], argv[1] if len(argv) > 1 else "HEAD"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        diff = differences(build(old, work), build(new, work))
    print("\n".join(diff) or f"the demo sites of {old} and {new} are identical, byte for byte")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
