"""The rules: each reads one kind of record (or the whole repository) and yields findings.

Owns one module per record kind (`incident`, `postmortem`, `maintenance`), the rules
across files (`repository`) and what they share (`common`).

May import: the vocabulary, `records`, `policy`.
"""
