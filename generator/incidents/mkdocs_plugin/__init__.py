"""The MkDocs plugin `incidents`: the records as a status page, incident and postmortem pages,
history, policy and metrics pages, a Statuspage-compatible API, feeds, a calendar and a badge.

A thin layer over `incidents.publish.status` and `incidents.publish` (which know nothing of MkDocs).

The only package that imports MkDocs. May import every layer below it; nothing imports it
but MkDocs (through the entry point).
"""
