"""A typist driving the engine over the real catalog: every answer goes through the
portal's own answer parser (pure), so what the engine sends is checked the way the
portal checks it. Effects are answered in memory; no button is ever pressed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backend_client import Procedure
from dialogs import Context, EffectResult, Event, Reply, State, Text, Upload, handle
from dialogs.events import FileRef
from nlu import get_default_nlu
from portal.catalog import load_catalog
from portal.domain.answers import parse_answer
from portal.domain.problems import FieldProblem

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # a Monday morning in Hue (UTC+7: 9:00)


@dataclass
class Typist:
    """One citizen who only types (and sends photos); counts what they send."""

    ctx: Context
    state: State = field(default_factory=State)
    app: dict[str, Any] = field(default_factory=dict)
    sent: int = 0
    replies: list[Reply] = field(default_factory=list)
    all_replies: list[Reply] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)

    def says(self, text: str) -> str:
        return self._turn(Text(text))

    def sends_photo(self) -> str:
        n = len(self.app.get("documents") or []) + 1
        return self._turn(Upload((FileRef(f"file{n}", "photo", "image/jpeg"),)))

    def _turn(self, event: Event) -> str:
        self.sent += 1
        self.replies = []
        for _ in range(20):
            step = handle(self.state, event, self.ctx)
            self.state = step.state
            self.replies += step.replies
            if not step.effects:
                break
            effect = step.effects[0]
            self.effects.append(effect.name)
            event = self._run(effect.name, effect.params)
        self.all_replies += self.replies
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    # --- the portal, in memory -------------------------------------------------------

    def _proc(self) -> Any:
        return load_catalog().get(self.app["procedure"])

    def _run(self, name: str, params: dict[str, Any]) -> EffectResult:
        if name == "create_draft":
            self.app = {
                "id": "a" * 32,
                "procedure": params["procedure"],
                "status": "draft",
                "answers": {},
                "documents": [],
            }
            return EffectResult(name, True, dict(self.app))
        if name == "save_answers":
            proc = self._proc()
            for key, value in params["answers"].items():
                fld = next(f for f in proc.fields if f.name == key)
                try:
                    self.app["answers"][key] = parse_answer(fld, value, today=NOW.date())
                except FieldProblem as problem:
                    error = {"fields": [{"field": key, "message": problem.message}]}
                    return EffectResult(name, False, error=error)
            return EffectResult(name, True, dict(self.app))
        if name == "upload":
            docs = self.app["documents"]
            new = [
                {"id": len(docs) + i + 1, "code": params["code"]}
                for i in range(len(params["files"]))
            ]
            docs.extend(new)
            return EffectResult(name, True, new)
        if name == "load_application":
            return EffectResult(name, True, dict(self.app))
        if name == "submit":
            self.app["status"] = "submitted"
            self.app["tracking_code"] = "PX-2026-7Q4K9M"
            self.app["due_date"] = "2026-03-09"
            return EffectResult(name, True, dict(self.app))
        if name == "track":
            return EffectResult(
                name,
                True,
                {
                    "tracking_code": params["code"],
                    "procedure_name": {"vi": "Đăng ký khai sinh", "en": "Birth registration"},
                    "status": "submitted",
                    "status_label": {"vi": "Đã nộp", "en": "Submitted"},
                    "due_date": "2026-03-10",
                },
            )
        if name == "request_human":
            return EffectResult(name, True, {"queued": True})
        if name == "list_mine":
            return EffectResult(name, True, [])
        if name == "load_payment":
            return EffectResult(name, True, {"status": "pending", "amount": 10000, "payload": "x"})
        raise AssertionError(f"unexpected effect {name} {params}")


@pytest.fixture(scope="session")
def catalog_procedures() -> dict[str, Procedure]:
    return {p.slug: Procedure.model_validate(p.model_dump(mode="json")) for p in load_catalog()}


@pytest.fixture
def typist(catalog_procedures: dict[str, Procedure]) -> Iterator[Typist]:
    ctx = Context(procedures=catalog_procedures, nlu=get_default_nlu(), now=NOW)
    yield Typist(ctx)


def today() -> date:
    return NOW.date()
