"""The engine driven by typed words and photos against a small in-memory portal that
keeps the portal's photo rule: a paper takes min_files..max_files photos, and during a
supplement only the photos sent since the request count (the old ones are replaced at
resubmission). No button is ever pressed: a test only types and sends photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backend_client import Procedure
from dialogs import Context, EffectResult, Event, Reply, State, Text, Upload, handle
from dialogs.events import FileRef
from nlu import get_default_nlu
from portal.catalog import load_catalog
from tests.support.forms import sample_answers

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # a Monday morning in Hue
APP_ID = "b" * 32
CODE = "PX-2026-7Q4K9M"


def catalog_context() -> Context:
    procs = {p.slug: Procedure.model_validate(p.model_dump(mode="json")) for p in load_catalog()}
    return Context(procedures=procs, nlu=get_default_nlu(), now=NOW)


@dataclass
class PhotoPortal:
    """One application, kept the way the portal keeps it."""

    proc: Procedure
    answers: dict[str, Any]
    status: str = "draft"
    documents: list[dict[str, Any]] = field(default_factory=list)  # id, code, new
    supplement: dict[str, Any] | None = None
    next_id: int = 1
    removed: list[int] = field(default_factory=list)

    def _counted(self) -> list[dict[str, Any]]:
        if self.supplement is None:
            return self.documents
        asked = set(self.supplement["documents"])
        return [d for d in self.documents if d["code"] not in asked or d["new"]]

    def rules(self) -> list[dict[str, Any]]:
        if self.status not in ("draft", "supplement_requested"):
            return []
        asked = None if self.supplement is None else set(self.supplement["documents"])
        counted = self._counted()
        return [
            {
                "code": d.code,
                "name": d.name,
                "required": d.required or asked is not None,
                "min_files": d.min_files,
                "max_files": d.max_files,
                "sides": d.sides,
                "received": len([x for x in counted if x["code"] == d.code]),
                "ids": [x["id"] for x in counted if x["code"] == d.code],
            }
            for d in self.proc.documents
            if asked is None or d.code in asked
        ]

    def body(self) -> dict[str, Any]:
        return {
            "id": APP_ID,
            "procedure": self.proc.slug,
            "procedure_name": self.proc.name,
            "status": self.status,
            "status_label": {"vi": self.status, "en": self.status},
            "answers": dict(self.answers),
            "documents": [{"id": d["id"], "code": d["code"]} for d in self.documents],
            "document_rules": self.rules(),
            "supplement": self.supplement,
            "tracking_code": None if self.status == "draft" else CODE,
            "due_date": "2026-03-09",
        }

    def request_supplement(self, documents: list[str], fields: list[str], note: str) -> None:
        """What `motcua staff request-supplement` does to the application."""
        self.status = "supplement_requested"
        self.supplement = {"documents": documents, "fields": fields, "note": note}
        for d in self.documents:
            d["new"] = False

    def run(self, name: str, params: dict[str, Any]) -> EffectResult:
        if name == "create_draft":
            return EffectResult(name, True, self.body())
        if name == "save_answers":
            self.answers.update(params["answers"])
            return EffectResult(name, True, self.body())
        if name == "upload":
            spec = next(d for d in self.proc.documents if d.code == params["code"])
            have = len([d for d in self._counted() if d["code"] == spec.code])
            if have + len(params["files"]) > spec.max_files:
                return EffectResult(
                    name,
                    False,
                    error={"code": "too_many_files", "message": {"vi": "Đủ ảnh", "en": "Full"}},
                )
            new = []
            for _ in params["files"]:
                new.append({"id": self.next_id, "code": spec.code, "new": True})
                self.next_id += 1
            self.documents += new
            return EffectResult(name, True, [{"id": d["id"], "code": d["code"]} for d in new])
        if name == "remove_document":
            self.documents = [d for d in self.documents if d["id"] != params["doc_id"]]
            self.removed.append(params["doc_id"])
            return EffectResult(name, True, None)
        if name == "load_application":
            return EffectResult(name, True, self.body())
        if name == "list_mine":
            summary = {k: v for k, v in self.body().items() if k != "documents"}
            return EffectResult(name, True, [summary])
        if name == "submit":
            if self.supplement is not None:
                asked = set(self.supplement["documents"])
                self.documents = [d for d in self.documents if d["code"] not in asked or d["new"]]
            self.status, self.supplement = "submitted", None
            return EffectResult(name, True, self.body())
        if name == "decode_qr":  # a photo of a paper, not of a receipt's QR code
            return EffectResult(name, True, {"text": None})
        if name == "load_payment":
            return EffectResult(name, False, error={"code": "none"})
        raise AssertionError(f"unexpected effect {name} {params}")


@dataclass
class Citizen:
    """Types and sends photos; every effect is answered by the portal above."""

    ctx: Context
    portal: PhotoPortal
    state: State = field(default_factory=lambda: State(greeted=True, lang_chosen=True))
    replies: list[Reply] = field(default_factory=list)
    effects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    photos_sent: int = 0

    def says(self, text: str) -> str:
        return self.turn(Text(text))

    def sends_photo(self, count: int = 1) -> str:
        files = []
        for _ in range(count):
            self.photos_sent += 1
            files.append(FileRef(f"photo-{self.photos_sent}", "photo", "image/jpeg"))
        return self.turn(Upload(tuple(files)))

    def turn(self, event: Event) -> str:
        self.replies = []
        for _ in range(30):
            step = handle(self.state, event, self.ctx)
            self.state = step.state
            self.replies += step.replies
            if not step.effects:
                break
            effect = step.effects[0]
            self.effects.append((effect.name, dict(effect.params)))
            event = self.portal.run(effect.name, effect.params)
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def ids(self, code: str) -> list[int]:
        return list(self.state.photos.get(code, []))


def at_papers(slug: str = "birth_registration") -> Citizen:
    """A citizen whose answers are all given: the next message is about the papers."""
    ctx = catalog_context()
    proc = ctx.procedures[slug]
    portal = PhotoPortal(proc, sample_answers(proc, today=NOW.date()))
    citizen = Citizen(ctx, portal)
    citizen.state.consent = True
    citizen.state.procedure = slug
    citizen.state.pending = "create_draft"
    citizen.turn(EffectResult("create_draft", True, portal.body()))
    return citizen
