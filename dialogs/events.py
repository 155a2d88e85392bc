"""What a channel turns a platform update into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Text:
    """Typed text (or a reply-keyboard press, which arrives as its label)."""

    text: str


@dataclass(frozen=True)
class Button:
    """An inline button press; ``data`` is what the engine put in the button."""

    data: str


@dataclass(frozen=True)
class Command:
    """``/start``, ``/help``...; ``/start <payload>`` carries a deep link."""

    name: str
    args: str = ""


@dataclass(frozen=True)
class FileRef:
    """A file the user sent, still on the channel's side; the shell downloads it."""

    ref: str  # channel file id, or a local path in the terminal
    kind: Literal["photo", "document"]
    mime: str | None = None
    name: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Upload:
    """One or more files sent together (an album arrives as several photos)."""

    files: tuple[FileRef, ...]
    caption: str = ""


@dataclass(frozen=True)
class Contact:
    phone: str
    user_id: str | None = None


@dataclass(frozen=True)
class Unsupported:
    """Stickers, voice notes, locations, videos...: answered kindly, state unchanged."""

    kind: str


@dataclass(frozen=True)
class EffectResult:
    """The outcome of an effect the engine asked for.

    ``value`` is JSON-like data (a backend_client model dumped to a dict);
    ``error`` is {"status", "code", "message": {"vi", "en"}, "fields": [...]}.
    """

    effect: str
    ok: bool
    value: Any = None
    error: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StaffAction:
    """A support officer acting in the citizen's conversation (remote help).

    ``closed``: the help session ended; ``return_to``: go to ``target``; ``filled``:
    the officer saved an answer on the citizen's behalf (the shell already stored it
    in the portal) and the citizen is asked to confirm it.
    """

    action: Literal["closed", "return_to", "filled"]
    staff: str  # the officer's first name, shown to the citizen
    target: str | None = None  # a field name, or "documents" / "review"
    value: Any = None
    answers: dict[str, Any] = field(default_factory=dict)  # the application's answers now


Event = Text | Button | Command | Upload | Contact | Unsupported | EffectResult | StaffAction
