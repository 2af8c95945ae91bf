"""Language identification from the text itself; a declared language is only a hint.

py3langid ships its model inside the PyPI package (no download), covers 97 languages and classifies a
few kilobytes in well under a millisecond.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from newsflow.clean import tokens

#: Below this many words a detector guess is weak; a declared language wins unless the guess is sure.
SHORT_TEXT_WORDS = 15
_SAMPLE_CHARS = 1500  # classify() is linear in length; 1,500 chars decide any article


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalise_language(value: object) -> str | None:
    """'en-US', 'EN', 'en_GB' -> 'en'; anything that is not an ISO 639-1 code -> None."""
    if not isinstance(value, str):
        return None
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    if not re.fullmatch(r"[a-z]{2}", code):
        return None
    import pycountry

    return code if pycountry.languages.get(alpha_2=code) else None


def detect_language(text: str, hint: str | None = None) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence). Short or ambiguous texts fall back to the hint when there is one."""
    hint = normalise_language(hint)
    words = tokens.count_words(text[:_SAMPLE_CHARS])
    if words < 3:
        return hint, 0.0
    lang, prob = _identifier().classify(text[:_SAMPLE_CHARS])
    prob = float(prob)
    if hint and hint != lang and (prob < 0.5 or (words < SHORT_TEXT_WORDS and prob < 0.95)):
        return hint, prob
    return normalise_language(lang) or hint, prob
