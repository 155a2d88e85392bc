"""The one exception every parser of user input raises.

A ``FieldProblem`` carries a stable machine ``code`` (for the bot and the API) and
a message in every supported language (``{"vi": ..., "en": ...}``) that tells the
user what to do next.
"""

from __future__ import annotations


class FieldProblem(ValueError):
    """An answer that cannot be accepted as typed."""

    def __init__(self, code: str, message: dict[str, str]) -> None:
        super().__init__(f"{code}: {message.get('en', '')}")
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"FieldProblem({self.code!r}, {self.message!r})"
