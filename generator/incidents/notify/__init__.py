"""`incidents notify`: events from a git diff of the records (and from time), delivered to the webhook,
Slack-compatible and email channels of `policy/notify.yml`, with retries, filters, audiences and a state
file so nothing is delivered twice.

Importing this package is light (`incidents validate` reads notify.yml through it); the delivery side
(requests, email, the API model) loads on first use.

May import every layer below the operations, and `authoring` (atomic writes of the state
file); never the CLI or the plugin.
"""

from __future__ import annotations

from incidents.policy.notify_file import (
    NOTIFY_FILE,
    Channel,
    NotifyConfig,
    check_notify_file,
    load_notify_config,
    parse_notify_config,
)

__all__ = [
    "NOTIFY_FILE",
    "Channel",
    "Deliverer",
    "NotifyConfig",
    "Report",
    "check_notify_file",
    "load_notify_config",
    "parse_notify_config",
    "run_notify",
]


def __getattr__(name: str):
    if name == "Deliverer":
        from incidents.notify.deliver import Deliverer

        return Deliverer
    if name in ("Report", "run_notify"):
        from incidents.notify import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
