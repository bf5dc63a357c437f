"""Records: what one file says, read with the place of every value.

Owns the model (`model`: frozen Incident, Postmortem, Maintenance), the one
reader of files (`source`: bytes -> text -> front matter + body; `yamlpos`:
YAML with positions), typed field reading (`fields`), timestamps, durations,
business time (`business`) and whether a path may be read at all
(`safe_files`).

May import: the vocabulary (`incidents.findings`, `codes`, `errors`, `text`).
Nothing here knows the policy, a rule or a command.
"""
