"""Natural-language understanding for citizens' messages, offline and fast.

`get_default_nlu().parse(text)` returns a dict shaped like Rasa's `/model/parse`
response: text, intent {name, confidence}, intent_ranking, entities. Below
`LOW_CONFIDENCE` the dialog shows the top guesses as buttons instead of acting.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Final, Protocol, runtime_checkable

from nlu.engine import EmbeddedNLU
from nlu.rasa_client import RasaNLU

INTENTS: Final = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "start_procedure",
    "ask_requirements",
    "ask_fee",
    "ask_processing_time",
    "check_status",
    "list_applications",
    "pay_fee",
    "talk_to_human",
    "cancel",
    "go_back",
    "change_language",
    "office_info",
    "out_of_scope",
)
ENTITIES: Final = ("procedure", "tracking_code", "date", "citizen_id", "phone")
LOW_CONFIDENCE: Final = 0.5


def __getattr__(name: str) -> Any:
    # PROCEDURES: the catalog's slugs, read on first use (no YAML parsing at import).
    if name == "PROCEDURES":
        from nlu.procedures import default_lexicon

        return default_lexicon().slugs
    raise AttributeError(name)


@runtime_checkable
class NLU(Protocol):
    def parse(self, text: str, lang_hint: str | None = None) -> dict[str, Any]: ...


# A deployment that runs a Rasa server sets this to its base URL.
RASA_URL_ENV: Final = "MOTCUA_NLU_RASA_URL"


@lru_cache(maxsize=1)
def get_default_nlu() -> NLU:
    """The process-wide NLU: the embedded engine (trained or loaded once), or
    `RasaNLU` when the environment variable MOTCUA_NLU_RASA_URL names a Rasa server."""
    url = os.environ.get(RASA_URL_ENV)
    if url:
        return RasaNLU(url, timeout=float(os.environ.get("MOTCUA_NLU_RASA_TIMEOUT", "2")))
    return EmbeddedNLU()


__all__ = [
    "ENTITIES",
    "INTENTS",
    "LOW_CONFIDENCE",
    "NLU",
    "PROCEDURES",
    "RASA_URL_ENV",
    "EmbeddedNLU",
    "RasaNLU",
    "get_default_nlu",
]
