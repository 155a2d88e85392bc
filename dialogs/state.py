"""One user's conversation state: small, JSON-serialisable, versioned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dialogs.effects import Effect
from dialogs.replies import Reply


class State(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lang: str = "vi"
    lang_chosen: bool = False
    greeted: bool = False
    consent: bool = False
    # where we are: menu, choose, checklist, consent, form, documents, review,
    # confirm_submit, submitted, track, mine, handoff, language, confirm_cancel
    flow: str = "menu"
    procedure: str | None = None
    category: str | None = None
    app_id: str | None = None
    field: str | None = None
    doc: str | None = None
    editing: bool = False
    answers: dict[str, Any] = Field(default_factory=dict)
    docs: dict[str, int] = Field(default_factory=dict)  # document code -> files received
    status: str | None = None  # status of app_id as last seen
    supplement: list[str] = Field(default_factory=list)  # documents asked for
    last_upload: list[int] = Field(default_factory=list)  # ids of the last photos sent
    # The photos step (dialogs/flows/documents.py): each paper's photo ids in order
    # (front first), the portal's photo rule per paper (min_files, max_files, sides,
    # required), files sent before their paper was asked for, the photo being replaced.
    photos: dict[str, list[int]] = Field(default_factory=dict)
    rules: dict[str, dict[str, int]] = Field(default_factory=dict)
    early: list[dict[str, Any]] = Field(default_factory=list)
    replacing: int | None = None
    supplement_fields: list[str] = Field(default_factory=list)  # answers asked again
    submit_key: str | None = None
    drafts: dict[str, str] = Field(default_factory=dict)  # procedure -> draft app_id
    # Reply-keyboard labels (folded) -> button data, for the step now showing.
    keyboard: dict[str, str] = Field(default_factory=dict)
    # Every button of the question now showing, (label, data): typed words are matched
    # to them (dialogs/choices.py).
    choices: list[tuple[str, str]] = Field(default_factory=list)
    # Labels (folded) of the reply keyboard of an earlier question: pressed late, they
    # are refused, never stored as an answer.
    old_keyboard: list[str] = Field(default_factory=list)
    # A typed value waiting for one confirmation (a name without diacritics, "Huy").
    held: str | None = None
    # The last reply sent showed a reply keyboard (still on the user's screen).
    keyboard_up: bool = False
    # The portal's quote for the draft as it stands (exemptions included), for the review.
    fee_estimate: int | None = None
    seq: int = 0  # increases at every question; buttons carry it to detect stale ones
    back: list[str] = Field(default_factory=list)  # earlier fields, for "back"
    pending: str | None = None  # name of the effect being waited for
    # Portal writes kept while the portal is down ({"name", "params"}: save_answers with
    # the value, submit with its idempotency key), delivered in order by the shell
    # (bot.runtime) when it is back; ``outage_told``: the citizen was told once.
    outbox: list[dict[str, Any]] = Field(default_factory=list)
    outage_told: bool = False
    saving: dict[str, Any] | None = None  # the answers of the save_answers in flight
    resume_flow: str | None = None  # where to return after an aside (help, fee question)
    # The last texts said to this chat, cut short: the support team's context card shows
    # them. Kept here so they ride on the state save each turn makes anyway.
    recent: list[str] = Field(default_factory=list)
    version: int = 0


@dataclass
class Step:
    state: State
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
