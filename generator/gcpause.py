"""A pause of Python's cyclic garbage collector while a run builds many objects that live on.

Reading 100,000 cached records makes millions of tuples, strings and
records at once; each time enough objects have been made, the cyclic
collector walks every object still alive, so a warm `metrics` run spent
about 40% of its time collecting nothing (benchmarks/README.md). Inside
`bulk_objects()` the collector is off; on leaving, the objects made are
moved out of its reach (`gc.freeze`): they are never walked again, and are
still freed as usual when nothing refers to them (reference counting). Nested
uses are fine; the collector comes back as it was.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def bulk_objects():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
