"""What the engine asks the shell to do; each outcome comes back as an EffectResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EffectName = Literal[
    "create_draft",  # procedure, lang -> Application
    "save_answers",  # app_id, answers -> Application
    "upload",  # app_id, code, files -> list[Document]
    "remove_document",  # app_id, doc_id -> None
    "load_application",  # app_id -> Application
    "submit",  # app_id, key -> Application
    "cancel_application",  # app_id -> Application
    "list_mine",  # -> list[ApplicationSummary]
    "track",  # code -> TrackResult
    "load_payment",  # app_id -> Payment
    "decode_qr",  # file -> {"text": str | None}
    "request_human",  # reason, summary -> {"queued": bool}
    "follow",  # code, lang -> {"tracking_code", "procedure_name", "already"}: notify this chat
    "unfollow",  # code -> {"tracking_code", "removed": bool}
    # -> {"deleted_applications", "deleted_documents", "kept": [{"tracking_code",
    # "procedure_name", "keep_until"}], "retention_years", "chat_erased"}: the portal
    # deleted what was never submitted, the shell erased this chat's records
    "forget_me",
]


@dataclass(frozen=True)
class Effect:
    name: EffectName
    params: dict[str, Any] = field(default_factory=dict)
