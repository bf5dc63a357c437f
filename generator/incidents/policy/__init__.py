"""The team's policy as data: `policy/policy.yml`, `services.yml` and `notify.yml`, checked at their lines.

Owns reading the policy files (`policy_file`: severities, roles, targets,
postmortem rules; `services`: the catalogue; `notify_file`: channels), the
policy values that need more than a field reader (`policy_fields`: calendars,
business durations) and the JSON Schema of records under a policy (`schema`).

May import: the vocabulary and `incidents.records`.
"""
