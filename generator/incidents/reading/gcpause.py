"""A pause of Python's cyclic garbage collector while a run builds many objects that live on.

Reading 100,000 cached records makes millions of tuples, strings and
records at once. Each time enough objects have been made, the cyclic
collector walks every object still alive, so a warm `metrics` run spent
about 40% of its time collecting nothing (benchmarks/README.md). Records
hold no reference cycles: reference counting frees them, the cyclic
collector has nothing to find in them.

* `bulk_objects()`: the collector is off inside, and comes back as it was
  (nested uses are fine). `validate_root` reads inside it, so the MkDocs
  plugin, a long-running `mkdocs serve` included, gets the same speed and
  keeps its collector between builds.
* `for_a_command()`: the `incidents` command runs for seconds and exits; the
  collector stays off for its whole run (its objects are freed by reference
  counting as usual, and whatever cycles remain go with the process).
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
            gc.enable()


def for_a_command() -> None:
    gc.disable()
