"""Checkers of published pages with the tools that check them.

- axe-core (npm, WCAG 2.1 AA rules) injected into Chromium through Playwright's
  `add_script_tag`;
- the Nu HTML Checker (npm `vnu-jar`, run with a Java runtime) over the files;
- a focused HTML check with lxml (duplicate ids), which needs nothing else.

The npm fixtures live in tests/npm/node_modules (git-ignored), installed by
`make test` (`make npm-fixtures`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

NPM = Path(__file__).resolve().parents[1] / "npm" / "node_modules"
AXE_JS = NPM / "axe-core" / "axe.min.js"
VNU_JAR = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_available() -> bool:
    return AXE_JS.is_file()


def vnu_available() -> bool:
    return VNU_JAR.is_file() and shutil.which("java") is not None


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the loaded page: [{id, impact, nodes: [target...]}]."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))})); }",
        AXE_TAGS,
    )
    return result


OUR_CONTENT = [[".inc-page"], [".inc-header"], [".inc-footer"]]  # what the plugin writes, not the theme's chrome


def run_axe_all_rules(page) -> list[dict]:
    """axe-core with every rule on (best practices and AAA included), over the plugin's own content only:
    [{id, impact, nodes}]."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        "async (include) => { const rules = axe.getRules().map(r => r.ruleId);"
        " const r = await axe.run({include}, {runOnly: {type: 'rule', values: rules}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))})); }",
        OUR_CONTENT,
    )


def axe_count(violations: list[dict]) -> Counter:
    return Counter({v["id"]: len(v["nodes"]) for v in violations})


def run_vnu(files: list[Path]) -> list[dict]:
    """The Nu HTML Checker's errors over HTML files: [{url, message, extract}]."""
    out = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    data = json.loads(out.stderr or out.stdout or '{"messages": []}')
    return [m for m in data.get("messages", []) if m.get("type") == "error"]


def duplicate_ids(html: str) -> list[str]:
    """Ids that occur more than once in a page (an HTML error a screen reader trips on)."""
    import lxml.html

    tree = lxml.html.document_fromstring(html)
    counts = Counter(el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id"))
    return sorted(i for i, n in counts.items() if n > 1)
