"""The plans' own templates (tests/fixtures/plan_templates) under their example roots: each validates once
its guidance is filled in, and fails while any bracketed guidance is left, one piece at a time.

The guidance is found here by its shape ([...], <...>, $X; a "[ ]" checkbox and a Markdown link are
content), independently of the roots' policies, so a policy that misses a piece of guidance fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plan_scenarios import follow
from test_example_plans import policy_of, replay

TEMPLATES = Path(__file__).parent / "fixtures" / "plan_templates"
GUIDANCE = re.compile(r"\[(?! \]|[xX]\])[^\]\n]+\](?!\()|<[^<>\n]+>|\$X\b")


def fill(text: str, keep: str | None = None) -> str:
    """Every piece of guidance replaced by content (its words without the brackets), but `keep`."""

    def sub(m: re.Match) -> str:
        token = m.group(0)
        if token == keep:
            return token
        return "12,000" if token == "$X" else token.strip("[]<>")

    return GUIDANCE.sub(sub, text)


def guidance(text: str) -> list[str]:
    found = list(dict.fromkeys(GUIDANCE.findall(text)))
    assert found, "the template holds no guidance"
    return found


POSTMORTEMS = [
    ("pipeline-guard", "SEV-1", "pipeline-guard.postmortem.md"),
    ("subjunctive-practice", "P0", "subjunctive-practice.postmortem.md"),
]


def postmortem_files(plan: str, sev: str, body: str):
    rec = follow(policy_of(plan), sev)
    rec.postmortem["body"] = body
    return rec.files(), rec.as_of


@pytest.mark.parametrize("plan,sev,name", POSTMORTEMS)
def test_a_filled_postmortem_template_is_complete(tmp_path, plan, sev, name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    files, as_of = postmortem_files(plan, sev, fill(text))
    assert replay(tmp_path, plan, files, as_of) == []


@pytest.mark.parametrize("plan,sev,name", POSTMORTEMS)
def test_each_piece_of_postmortem_guidance_left_is_found(tmp_path, plan, sev, name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    for n, token in enumerate(guidance(text)):
        files, as_of = postmortem_files(plan, sev, fill(text, keep=token))
        found = replay(tmp_path / str(n), plan, files, as_of)
        assert [code for _level, code, _ in found] and all(c == "postmortem-placeholder" for _, c, _ in found), (
            token,
            found,
        )
        assert all(f"`{token}`" in message for _, _, message in found), (token, found)


@pytest.mark.parametrize("name", ["noa-server.status-page.txt", "noa-server.internal.txt"])
def test_the_update_templates_publish_only_once_filled(tmp_path, name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    policy = policy_of("noa-server")

    def files(message_text: str):
        """One public update per message of the template (the status page's: one per status, in order)."""
        messages = [" ".join(block.split()) for block in message_text.split("\n\n")]
        rec = follow(policy, "SEV2")
        statuses = ["investigating", "identified", "monitoring", "resolved"][: len(messages)]
        rec.updates = [
            [rec.detected + (rec.resolved - rec.detected) * i / max(1, len(messages) - 1), status, message]
            for i, (status, message) in enumerate(zip(statuses, messages))
        ]
        if statuses[-1] != "resolved":
            rec.updates.append([rec.resolved, "resolved", "Resolved."])
        return rec.files(), rec.as_of

    assert replay(tmp_path / "filled", "noa-server", *files(fill(text))) == []
    for n, token in enumerate(guidance(text)):
        found = replay(tmp_path / str(n), "noa-server", *files(fill(text, keep=token)))
        assert [c for _, c, _ in found] == ["update-placeholder"], (token, found)
        assert f"`{token}`" in found[0][2], (token, found)
