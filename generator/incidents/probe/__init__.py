"""`incidents probe`: HTTP checks of the services that have a `probe:` in policy/services.yml.

Each check is one line of `probes/<service id>/<YYYY-MM>.csv` (`at,ok,status,ms,error`); after the
probe's `fail_after` consecutive failures an internal incident is opened (`source: {system: probe,
id: <service>-<first failure>}`, detected at the first failed check), and when the probe passes again
a timeline entry says so. Like every alert, a probe never resolves an incident: a person does.

May import every layer below the operations, `authoring` and `ingest`; never the CLI or the plugin.
"""
