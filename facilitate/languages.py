"""The languages Facilitate speaks, and the cheap guess at which one a text is in.

``LANGUAGES`` is the default of the ``LANGUAGES`` setting (the first is the default UI
language) and the set of languages content may be given in: a meeting's intro, a phase's
prompt, a contribution's language label and its hand translation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("sv", "en", "fi", "ar", "so")
#: The language facilitators write content in; the others are translations of it.
ORIGINAL = LANGUAGES[0]
TRANSLATED: tuple[str, ...] = LANGUAGES[1:]

# The most frequent short words of each language, none shared between two of them. A
# handful is enough to tell these apart in a sentence; a guess needs two hits and a lead.
_WORDS = {
    "sv": (
        "och att det som är på för med inte har jag vi de en ett av till om kan man "
        "vill ska barn också här eller mycket behöver finns när hur"
    ),
    "en": (
        "the and to of is that it for are with not have this we they you be more there "
        "should need can our people what at"
    ),
    "fi": (
        "ja on ei se että ole kun mutta myös tai kanssa me he ovat oli jos tämä siellä "
        "pitäisi lapset meidän enemmän voi"
    ),
    "so": (
        "iyo waa ku ka oo in ay u aan la waxaa ah si ee wax ayaa carruurta badan loo ma "
        "inay hadii waxay"
    ),
}
_COMMON = {code: frozenset(words.split()) for code, words in _WORDS.items()}
_WORD = re.compile(r"\w+", re.UNICODE)


def guess_language(text: str, fallback: str | None = None) -> str | None:
    """The language ``text`` is most likely in, or ``fallback`` when it is unclear.

    Arabic script decides alone; otherwise frequent words vote. Short or mixed texts
    keep the fallback (the writer's UI language), which is what they usually are.
    """
    letters = [ch for ch in text if ch.isalpha()]
    if letters:
        arabic = sum(1 for ch in letters if "ARABIC" in unicodedata.name(ch, ""))
        if arabic * 2 > len(letters):
            return "ar"
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {code: sum(1 for w in words if w in common) for code, common in _COMMON.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 2 and top > second:
        return best
    return fallback


def localized(original: str, translations: Mapping[str, str], language: str | None) -> str:
    """The text in ``language`` when someone gave it, otherwise the original."""
    if language is not None and translations.get(language):
        return translations[language]
    return original
