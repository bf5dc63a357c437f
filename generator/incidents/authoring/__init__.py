"""Writing records: `incidents new`, `incidents update`, `incidents postmortem`.

Every command here writes only a file that the foundation's rules accept:
the candidate bytes are read back with the one reader (`source.read_record`)
and checked with the same rules `incidents validate` runs, before anything
touches the disk. Writes are atomic (temp file in the same folder, fsync,
rename), and `new`/`postmortem` never overwrite.

May import every layer below the operations (vocabulary to `publish`); never the CLI or
the plugin.
"""

from __future__ import annotations

from incidents.findings import Finding


class AuthoringError(Exception):
    """A request that cannot be carried out; the CLI prints it and exits 1.

    `findings` are what the rules said about the file that would have been
    written (printed before the one-line message).
    """

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()):
        super().__init__(message)
        self.message = message
        self.findings = tuple(findings)


__all__ = ["AuthoringError"]
