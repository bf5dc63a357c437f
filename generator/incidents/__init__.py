"""incident-as-code: incidents, postmortems and maintenance windows as code.

The package in layers, lowest first; a module imports only from its own layer or
lower ones (tests/test_architecture.py holds the rule, manual/architecture.md
draws it):

1. the vocabulary every layer speaks: `findings`, `codes`, `errors`, `text`, `findings_output`;
2. `records`: the model and the one reader of files;
3. `policy`: policy.yml, services.yml, notify.yml as typed values;
4. `rules`: records -> findings, per kind and across files;
5. `metrics`: figures, statistics, availability, export;
6. `reading`: discovery, the cache, reading a root, `validate`;
7. `gates`: the time-dependent checks of `check`;
8. `publish`: status at a moment, the Statuspage API, feeds, calendar, badge;
9. the operations on a repository: `authoring`, `importing`, `ingest`, `probe`, `notify`, `merge`, `scaffold`;
10. the faces: `mkdocs_plugin` (the only importer of MkDocs) and `cli`.
"""

__version__ = "0.3.0"

# Where the project lives: `incidents init` pins the pre-commit hook to this repository at the
# tag `v<version>`, and the manual shows how to call its action and reusable workflow.
REPOSITORY = "https://github.com/incident-as-code/incident-as-code"
