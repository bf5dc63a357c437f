"""The README documents every command the CLI has, and every option of each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name):
    assert re.search(rf"incidents {name}\b", README), f"`incidents {name}` is not in README.md"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_option_is_documented(name):
    command = cli.commands[name]
    for param in command.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"`incidents {name} {opt}` is not in README.md"
