"""incident-as-code: incidents, postmortems and maintenance windows as code.

The domain modules (source, policy, records, rules, validate, gates, metrics,
status, publish) know nothing of MkDocs; the CLI (`generator.cli`) and the
MkDocs plugin (`generator.mkdocs_plugin`) are thin layers over them.
"""

__version__ = "0.2.1"

# Where the project lives: `incidents init` pins the pre-commit hook to this repository at the
# tag `v<version>`, and the manual shows how to call its action and reusable workflow.
REPOSITORY = "https://github.com/incident-as-code/incident-as-code"
