"""The MkDocs plugin `incidents`: the records as a status page, incident and postmortem pages,
history, policy and metrics pages, a Statuspage-compatible API, feeds, a calendar and a badge.

A thin layer over `generator.status` and `generator.publish` (which know nothing of MkDocs).
"""
