"""What the CI gate costs a team on every pull request: a cold virtual environment, an install from a
local wheel cache (no network, as a CI pip cache would serve it), then the gate's answer (`incidents
validate` and `incidents check`, --no-cache, on this repository's demo records).

    .venv/bin/python benchmarks/bench_install.py WHEELHOUSE [--runs 3] [--full-runs 1] [--uv PATH]

WHEELHOUSE is filled by tools/wheelhouse.py (this checkout's wheel and every pinned dependency); the
wheel of the last release before the change (commit BEFORE below) is built into it too. Scenarios,
interleaved run by run (the machine is shared), medians with min and max:

* gate, before: the old core (every package) installed as the old workflows did for the gate:
  `pip install --no-deps` + `pip install click PyYAML` (pip's resolver then printed a red ERROR
  naming the 16 missing packages);
* gate, after: `pip install incident-as-code` - the core is click and PyYAML;
* gate, after, uv: the same install with `uv venv` + `uv pip install` (when --uv is given);
* full, before / after: the whole package (`pip install incident-as-code` before, `[all]` after):
  what the site job and a team member's machine install.

Each timed run: a new virtual environment, the install, validate, check. "cold venv": `python -m venv`
with its own pip (ensurepip installs pip into it: most of the time on a busy machine); "runner's pip":
`python -m venv --without-pip` installed into by the pip that runs this script, as a CI job's Python
(actions/setup-python) already has pip and needs no venv; "uv": `uv venv` + `uv pip install`. Figures go to
benchmarks/results/install.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "generator"))

from timing import save_json  # noqa: E402
from wheelhouse import _fetch, _pip  # noqa: E402

# The environments timed here must not see this checkout: no PYTHONPATH (pip would find the source tree's
# egg-info and call the package installed already).
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
BEFORE = "fba0d56"  # the package as 0.2.1 shipped it (every dependency in the core)


def old_wheel(folder: Path) -> Path:
    """The wheel of the code at BEFORE, built into `folder` (its extra dependencies fetched there too)."""
    target = folder / "before"
    found = sorted(target.glob("incident_as_code-*.whl"))
    if found:
        _fetch(folder, *_requires(found[0]))  # offline once fetched
        return found[0]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(src), BEFORE], check=True)
        try:
            done = _pip("wheel", "--no-deps", "--no-index", "--find-links", str(folder), "-w", str(target), str(src))
            if done.returncode != 0:
                raise SystemExit(done.stdout + done.stderr)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(src)], check=True)
    wheel = sorted(target.glob("incident_as_code-*.whl"))[0]
    _fetch(folder, *_requires(wheel))  # python-frontmatter and ruamel.yaml, which the old core also named
    return wheel


def _requires(wheel: Path) -> list[str]:
    """The wheel's own requirements (pip would take them from the newer wheel of the same version)."""
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(name).decode("utf-8")
    requires = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Requires-Dist:")]
    return [r for r in requires if "extra ==" not in r]


def gate(bin_dir: Path) -> list[int]:
    codes = []
    for command in ("validate", "check"):
        proc = subprocess.run(
            [str(bin_dir / "incidents"), command, "--no-cache", "--root", str(REPO)],
            capture_output=True,
            text=True,
            timeout=600,
            env=CLEAN_ENV,
        )
        if proc.returncode not in (0, 1):
            raise SystemExit(f"incidents {command} failed:\n{proc.stdout}{proc.stderr}")
        codes.append(proc.returncode)
    return codes


def _venv(kind: str, venv: Path, uv: str | None) -> None:
    if kind == "uv":
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=CLEAN_ENV)
    elif kind == "pip":  # a cold venv with its own pip (ensurepip)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=CLEAN_ENV)
    else:  # "runner-pip": CI's Python already has pip (setup-python); the venv only isolates the figure
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=CLEAN_ENV)


def _install_command(kind: str, venv: Path, uv: str | None, folder: Path) -> list[str]:
    offline = ["--no-index", "--find-links", str(folder)]
    python = str(venv / "bin/python")
    if kind == "uv":
        return [uv, "pip", "install", "-q", "--offline", "--python", python, *offline]
    pip = [python, "-m", "pip"] if kind == "pip" else [sys.executable, "-m", "pip", "--python", python]
    return [*pip, "install", "-q", "--disable-pip-version-check", *offline]


def one_run(kind: str, installs: list[list[str]], folder: Path, uv: str | None) -> tuple[float, str]:
    """Seconds from nothing to the gate's answer; pip's stderr (the resolver's complaint, if any)."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        start = time.perf_counter()
        _venv(kind, venv, uv)
        errors = ""
        for requirements in installs:
            command = _install_command(kind, venv, uv, folder)
            proc = subprocess.run(
                [*command, *requirements], capture_output=True, text=True, timeout=1200, env=CLEAN_ENV
            )
            if proc.returncode != 0:
                raise SystemExit(f"{command} {requirements} failed:\n{proc.stdout}{proc.stderr}")
            errors += proc.stderr
        gate(venv / "bin")
        return time.perf_counter() - start, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("wheelhouse", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-runs", type=int, default=1)
    parser.add_argument("--uv", help="a uv binary: also time the gate installed with uv")
    args = parser.parse_args()
    folder = args.wheelhouse.resolve()
    from wheelhouse import prepare

    new = prepare(folder)
    old = old_wheel(folder)
    lean = ["click>=8.1,<9", "PyYAML>=6.0.1,<7"]
    scenarios = {
        "gate, before, cold venv (--no-deps + click, PyYAML)": ("pip", [["--no-deps", str(old)], lean], args.runs),
        "gate, after, cold venv (the core)": ("pip", [[str(new)]], args.runs),
        "gate, before, runner's pip (--no-deps + click, PyYAML)": (
            "runner-pip",
            [["--no-deps", str(old)], lean],
            args.runs,
        ),
        "gate, after, runner's pip (the core)": ("runner-pip", [[str(new)]], args.runs),
        "full, before, runner's pip (every package in the core)": ("runner-pip", [[str(old)]], args.full_runs),
        "full, after, runner's pip ([all])": ("runner-pip", [[f"{new}[all]"]], args.full_runs),
    }
    if args.uv:
        scenarios["gate, after, uv (the core)"] = ("uv", [[str(new)]], args.runs)
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    complaints: dict[str, bool] = {}
    for i in range(max(args.runs, args.full_runs)):
        for name, (kind, installs, runs) in scenarios.items():
            if i >= runs:
                continue
            seconds, errors = one_run(kind, installs, folder, args.uv)
            times[name].append(seconds)
            complaints[name] = "dependency resolver" in errors
            print(f"run {i + 1}: {name}: {seconds:.1f} s", flush=True)
    print("\n| scenario | runs | median s | min s | max s | pip resolver ERROR |")
    print("|---|---:|---:|---:|---:|---|")
    for name, values in times.items():
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} "
            f"| {'yes' if complaints[name] else 'no'} |"
        )
    save_json(
        REPO / "benchmarks/results/install.json",
        {
            "what": "cold venv + offline install from a local wheel cache + validate + check (--no-cache) on the demo",
            "note": "a shared 2-core machine running other jobs: interleaved runs, medians",
            "uv": subprocess.run([args.uv, "--version"], capture_output=True, text=True).stdout.strip()
            if args.uv
            else None,
            "scenarios": {
                name: {"runs": values, "median": statistics.median(values), "resolver_error": complaints[name]}
                for name, values in times.items()
            },
        },
    )


if __name__ == "__main__":
    main()
