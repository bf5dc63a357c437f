"""incident-as-code: incidents, postmortems and maintenance windows as code.

The domain modules (source, policy, records, rules, validate, gates, metrics,
status, publish) know nothing of MkDocs; the CLI (`generator.cli`) and the
MkDocs plugin (`generator.mkdocs_plugin`) are thin layers over them.
"""

__version__ = "0.1.0"
