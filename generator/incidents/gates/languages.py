"""The policy's `languages: [en, de]`: every public update is written in each listed language.

The first language is the one `message` is written in; every other one needs an entry in the
update's `translations:`. A public incident still open with an update that lacks one is an error
(`translation-missing`: customers reading that language see no text from us); once resolved, a
warning (`translation-missed`: a past miss). Internal incidents publish no updates: not gated.
"""

from __future__ import annotations

from incidents.findings import ERROR, WARNING, Finding
from incidents.records.model import Incident


def _norm(code: str) -> str:
    return code.replace("-", "_").casefold()


def missing_languages(update, languages: tuple[str, ...]) -> list[str]:
    """The listed languages (after the first, the message's own) that `update.translations` lacks."""
    have = {_norm(k) for k, text in (update.translations or {}).items() if text and text.strip()}
    return [lang for lang in languages[1:] if _norm(lang) not in have]


def language_gates(inc: Incident, languages: tuple[str, ...]) -> list[Finding]:
    if len(languages) < 2 or not inc.is_public:
        return []
    level, code = (ERROR, "translation-missing") if inc.is_open else (WARNING, "translation-missed")
    out = []
    for i, upd in enumerate(inc.updates):
        missing = missing_languages(upd, languages)
        if not missing:
            continue
        names = ", ".join(f"`{m}`" for m in missing)
        tense = "lacks" if inc.is_open else "was published without"
        out.append(
            Finding(
                inc.path,
                upd.line or inc.lines.of("updates"),
                1,
                level,
                code,
                f"{inc.id}: update {i + 1} ({upd.status}) {tense} its {names} translation; the policy's "
                f"`languages: [{', '.join(languages)}]` asks for every one (add `translations: {{{missing[0]}: ...}}`)",
            )
        )
    return out
