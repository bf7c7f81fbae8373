"""Language of an item that arrives without one: py3langid restricted to FR, NL, DE and EN.

py3langid (a maintained fork of langid.py, model bundled in the 5 MB wheel) was chosen over
lingua (more accurate on very short texts, but a 170 MB wheel). Short or ambiguous texts ("ok",
"👍") fall back to the channel's first language, because routing goes by language and a wrong
guess is worse than the channel's usual one.
"""

from __future__ import annotations

import re
import threading
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ["fr", "nl", "de", "en"]
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.8
_NOISE = re.compile(r"https?://\S+|[@#]\w+")
_lock = threading.Lock()


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str, fallback: str) -> str:
    cleaned = _NOISE.sub(" ", text)
    if sum(char.isalpha() for char in cleaned) < MIN_LETTERS:
        return fallback
    with _lock:  # the identifier keeps per-call state in numpy buffers
        language, confidence = _identifier().classify(cleaned)
    return str(language) if confidence >= MIN_CONFIDENCE else fallback
