"""Reading a whole root: which files it holds, each read and checked once per change, then `validate`.

Owns discovery (`discovery`), reading every record file on every core
(`reader`), the cache of what was read (`cache`, `cache_files`, `codec`), the
collector pause of a long read (`gcpause`) and `incidents validate`
(`validate`: the policy, every record, the rules across files).

May import: the vocabulary, `records`, `policy`, `rules`, and `metrics.rows`
(the cache keeps each incident's metrics row).
"""
