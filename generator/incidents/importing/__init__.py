"""Importing a history from Atlassian Statuspage (contract section 9).

`import_statuspage(root, sources, severity_map, default_service, dry_run)` is the
entry point (the CLI's `incidents import statuspage` and `incidents init
--from-statuspage` call it). The pieces, upstream first:

* `payloads`: JSON -> typed Statuspage incidents, every error with its JSON path;
* `http`: fetching URLs (retries, the Manage API's pages and key);
* `htmltext`: update bodies -> Markdown;
* `mapping`: Statuspage incident -> record values;
* `render`, `services`, `existing`: the bytes of new files, services.yml appends,
  and `update`-style appends to records imported before;
* `writer`: stage every file, then write all or none.

May import every layer below the operations, and `authoring` (an import appends updates
as `update` does); never the CLI or the plugin.
"""

from incidents.importing.http import FetchError, MissingKey
from incidents.importing.payloads import PayloadError
from incidents.importing.run import ImportFailure, ImportResult, import_statuspage

__all__ = ["FetchError", "ImportFailure", "ImportResult", "MissingKey", "PayloadError", "import_statuspage"]
