"""Problems found in the catalog data, each pinned to a file and a line.

The message ids are English (``str(issue)`` is the line ``motcua catalog check``
prints); ``issue.text("vi")`` gives the same line in Vietnamese for a ward clerk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kernel.i18n import gettext_


@dataclass(frozen=True)
class CatalogIssue:
    file: str  # the file name within the catalog folder
    line: int | None  # 1-based; None when the problem is not on one line
    message: str  # English, with the key path first: "fee.amount: must be a whole number"
    # For translation: the message id, its parameters and the key path it is about.
    template: str = field(default="", compare=False, repr=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    path: str = field(default="", compare=False, repr=False)

    @classmethod
    def of(
        cls, file: str, line: int | None, template: str, path: str = "", **params: object
    ) -> CatalogIssue:
        """An issue from a message id marked with ``N_()`` and its parameters."""
        frozen = tuple((k, str(v)) for k, v in params.items())
        text = template.format(**dict(frozen))
        return cls(file, line, f"{path}: {text}" if path else text, template, frozen, path)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def text(self, lang: str) -> str:
        """The whole line (``file:line: path: message``) in ``lang``."""
        if not self.template:  # a message from a library, English only
            return str(self)
        translated = gettext_(self.template, lang, **dict(self.params))
        return (
            f"{self.where}: {self.path}: {translated}"
            if self.path
            else f"{self.where}: {translated}"
        )

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CatalogError(Exception):
    """The catalog cannot be loaded; ``issues`` lists every problem found."""

    def __init__(self, issues: list[CatalogIssue]) -> None:
        self.issues = issues
        count = len(issues)
        super().__init__(f"{count} problem(s) in the catalog:\n" + "\n".join(map(str, issues)))
