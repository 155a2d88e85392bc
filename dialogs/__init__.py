"""The conversation, channel-agnostic and pure.

``handle(state, event, ctx) -> Step(state, replies, effects)``: the engine never does
I/O. When it needs the portal (create a draft, save an answer, upload a photo,
submit...), it returns an effect; the shell in ``bot/`` runs it through
``backend_client`` and feeds the outcome back as an ``EffectResult`` event. This
module never imports aiogram.
"""

from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.engine import handle
from dialogs.events import (
    Button,
    Command,
    Contact,
    EffectResult,
    Event,
    FileRef,
    StaffAction,
    Text,
    Unsupported,
    Upload,
)
from dialogs.replies import Btn, Media, Reply
from dialogs.state import State, Step

__all__ = [
    "Btn",
    "Button",
    "Command",
    "Contact",
    "Context",
    "Effect",
    "EffectResult",
    "Event",
    "FileRef",
    "Media",
    "Reply",
    "StaffAction",
    "State",
    "Step",
    "Text",
    "Unsupported",
    "Upload",
    "handle",
]
