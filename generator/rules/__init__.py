"""The rules: each reads one kind of record (or the whole repository) and yields findings."""
