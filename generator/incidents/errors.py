"""The few fatal errors: problems that stop a command before any rule runs.

Anything a user wrote inside a record or the policy is a Finding, never one of
these. These are for a root that cannot be used at all.
"""

from __future__ import annotations


class IncidentsError(Exception):
    """Base of the fatal errors; the CLI prints it as `Error: ...` and exits 2."""


class RootError(IncidentsError):
    """The root folder is missing, not a folder, or holds neither policy/ nor incidents/."""
