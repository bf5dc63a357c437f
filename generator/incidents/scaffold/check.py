"""What keeps a repository from passing the gate and building both sites, after `init` wrote what it could."""

from __future__ import annotations

from pathlib import Path

import yaml


def problems(root: Path) -> list[str]:
    """What keeps the repository (as it now is) from passing the gate and building both sites."""
    from incidents.reading.validate import validate_root

    out = []
    report = validate_root(root)
    errors = [f for f in report.findings if f.level == "error"]
    for finding in errors[:10]:
        out.append(f"{finding.path}:{finding.line}: {finding.code} {finding.message}")
    if len(errors) > 10:
        out.append(f"... and {len(errors) - 10} more errors (run `incidents validate`)")
    for config, audience in (("mkdocs.yml", "public"), ("mkdocs.internal.yml", "internal")):
        try:
            text = (root / config).read_text(encoding="utf-8")
        except OSError:
            out.append(f"{config} cannot be read")
            continue
        if config == "mkdocs.internal.yml" and "INHERIT" not in text:
            out.append(f"{config} does not inherit mkdocs.yml (`INHERIT: mkdocs.yml`)")
        try:
            data = yaml.load(text, Loader=_LenientLoader) or {}
        except yaml.YAMLError as exc:
            out.append(f"{config} is not YAML: {exc}")
            continue
        plugins = data.get("plugins") if isinstance(data, dict) else None
        if config == "mkdocs.yml" and not _has_incidents_plugin(plugins):
            out.append(f"{config} does not enable the `incidents` plugin (plugins: [search, incidents])")
        if config == "mkdocs.internal.yml" and _audience(plugins) != audience:
            out.append(f"{config} does not set the plugin option `audience: internal`")
        docs = (data.get("docs_dir") if isinstance(data, dict) else None) or "docs"
        if config == "mkdocs.yml" and not (root / docs).is_dir():
            out.append(f"the docs folder `{docs}/` of {config} does not exist")
    return out


class _LenientLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!ENV` and `!!python/name:` tags; they are not needed to check it."""


def _ignore_tag(loader, suffix, node):
    return None


_LenientLoader.add_multi_constructor("!", _ignore_tag)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def _plugin_entries(plugins) -> dict:
    if isinstance(plugins, dict):
        return dict(plugins.items())
    out: dict = {}
    for item in plugins or []:
        if isinstance(item, str):
            out[item] = {}
        elif isinstance(item, dict):
            out.update(item)
    return out


def _has_incidents_plugin(plugins) -> bool:
    return "incidents" in _plugin_entries(plugins)


def _audience(plugins) -> str | None:
    options = _plugin_entries(plugins).get("incidents") or {}
    if not isinstance(options, dict):
        return None
    if options.get("publish_internal") is True:
        return "internal"
    return options.get("audience", "public")
