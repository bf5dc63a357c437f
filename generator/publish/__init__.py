"""What the site publishes besides pages: the Statuspage-compatible API, feeds, calendar and badge.

Pure functions of (repository, now, page info); nothing here knows MkDocs.
"""

from .statuspage import PageInfo, api_documents, dumps

__all__ = ["PageInfo", "api_documents", "dumps"]
