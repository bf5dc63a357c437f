"""`incidents notify`: events from a git diff of the records (and from time), delivered to the webhook,
Slack-compatible and email channels of `policy/notify.yml`, with retries, filters, audiences and a state
file so nothing is delivered twice."""

from __future__ import annotations

from .config import NOTIFY_FILE, Channel, NotifyConfig, load_notify_config, parse_notify_config
from .deliver import Deliverer
from .run import Report, run_notify

__all__ = ["NOTIFY_FILE", "Channel", "Deliverer", "NotifyConfig", "Report", "load_notify_config",
           "parse_notify_config", "run_notify"]
