"""The editor settings `init` writes (VS Code): records stay Markdown, `incidents validate` checks them.

yaml-language-server reads a whole file as YAML: opened as YAML, a record's Markdown body is a second
YAML document and every `:`, `-` or backtick in prose is a syntax error (842 on the 47 demo records),
and it has no front-matter mode (only per-line `# yaml-language-server-disable` comments). So the
records are associated with Markdown, never YAML, and a task runs `incidents validate` (when the
folder opens and on the build key) with a problem matcher that puts each finding in the Problems
panel at its file, line and column: the front matter is checked by the same rules as CI, and the body
is never parsed as YAML.
"""

from __future__ import annotations

import json

TASK_LABEL = "incidents: validate"

# `incidents validate` prints each finding as PATH:LINE:COL: LEVEL CODE message (paths relative to the root).
PROBLEM_PATTERN = r"^(.+?):(\d+):(\d+): (error|warning) ([a-z0-9-]+) (.*)$"


def settings() -> str:
    data = {
        # Records are Markdown with YAML front matter: never hand them to the YAML language server.
        "files.associations": {"incidents/**/*.md": "markdown"},
    }
    return json.dumps(data, indent=2) + "\n"


def tasks() -> str:
    task = {
        "label": TASK_LABEL,
        "type": "shell",
        "command": "incidents validate",
        "group": {"kind": "build", "isDefault": True},
        "presentation": {"reveal": "silent", "clear": True},
        "runOptions": {"runOn": "folderOpen"},
        "problemMatcher": {
            "owner": "incidents",
            "source": "incidents",
            "fileLocation": ["relative", "${workspaceFolder}"],
            "pattern": {
                "regexp": PROBLEM_PATTERN,
                "file": 1,
                "line": 2,
                "column": 3,
                "severity": 4,
                "code": 5,
                "message": 6,
            },
        },
    }
    return json.dumps({"version": "2.0.0", "tasks": [task]}, indent=2) + "\n"


def extensions() -> str:
    # YAML support for policy/*.yml; the records need no extension (the task above checks them).
    return json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n"
