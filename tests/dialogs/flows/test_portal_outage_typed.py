"""The portal down while a citizen answers or submits (typed only): the answer is kept
in the state, the citizen is told once, the form goes on, and the kept writes are
delivered in order, each once, when the portal is back (the shell's part is played
here by ``Outage.deliver``, as bot.runtime does it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from dialogs import EffectResult, handle
from dialogs.engine import OUTBOX
from tests.dialogs.flows.conftest import Typist

BUSY = "đang bận"


@dataclass
class Outage(Typist):
    down: bool = False
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _run(self, name: str, params: dict[str, Any]) -> EffectResult:
        if self.down:
            error = {"status": 0, "code": "unavailable", "message": {}, "fields": []}
            return EffectResult(name, False, error=error)
        self.calls.append((name, params))
        return super()._run(name, params)

    def deliver(self) -> str:
        """What bot.runtime does before a turn and in its background retry."""
        self.replies = []
        while self.state.outbox and not self.down:
            write = self.state.outbox[0]
            result = self._run(write["name"], write["params"])
            delivered = EffectResult(OUTBOX + write["name"], result.ok, result.value, result.error)
            step = handle(self.state, delivered, self.ctx)
            self.state = step.state
            self.replies += step.replies
            for effect in step.effects:  # e.g. the fee request after a submit
                self.state = handle(
                    self.state, self._run(effect.name, effect.params), self.ctx
                ).state
        return self.text


@pytest.fixture
def outage(typist: Typist) -> Outage:
    return Outage(typist.ctx)


def _started(o: Outage) -> None:
    o.says("chứng thực bản sao")
    o.says("bắt đầu")
    o.says("đồng ý")


def test_an_answer_typed_during_an_outage_is_kept_and_sent_once(outage: Outage) -> None:
    _started(outage)
    outage.says("Sổ đỏ")
    outage.down = True
    said = outage.says("3")
    assert BUSY in said and "không cần gõ lại" in said
    assert outage.state.answers["pages"] == "3" and outage.state.field == "copies"
    assert [w["params"]["answers"] for w in outage.state.outbox] == [{"pages": "3"}]
    said = outage.says("2")  # the next answer: kept too, told only once
    assert BUSY not in said
    assert [w["params"]["answers"] for w in outage.state.outbox] == [
        {"pages": "3"},
        {"copies": "2"},
    ]
    outage.down = False
    outage.deliver()
    saved = [p["answers"] for n, p in outage.calls if n == "save_answers"]
    assert saved[-2:] == [{"pages": "3"}, {"copies": "2"}]
    assert saved.count({"pages": "3"}) == 1 and saved.count({"copies": "2"}) == 1
    assert outage.app["answers"]["pages"] == 3 and outage.app["answers"]["copies"] == 2
    assert outage.state.outbox == [] and not outage.state.outage_told
    outage.says("Lê Thị Mai")  # the form goes on where it was
    assert "Lê Thị Mai" in outage.app["answers"].values()


def test_a_submit_during_an_outage_is_sent_once_with_its_key(outage: Outage) -> None:
    _started(outage)
    for text in ("Sổ đỏ", "3", "2", "Lê Thị Mai", "0905123456"):
        outage.says(text)
    for _ in range(3):
        outage.sends_photo()
    outage.says("xong")
    assert outage.state.flow == "review"
    outage.down = True
    said = outage.says("nộp luôn")
    assert BUSY in said and "Bác không cần làm gì thêm" in said
    key = outage.state.submit_key
    assert key and outage.state.outbox == [
        {"name": "submit", "params": {"app_id": outage.app["id"], "key": key}}
    ]
    outage.deliver()  # still down: nothing sent, nothing lost
    assert outage.state.outbox and not [c for c in outage.calls if c[0] == "submit"]
    outage.down = False
    said = outage.deliver()
    assert [p for n, p in outage.calls if n == "submit"] == [
        {"app_id": outage.app["id"], "key": key}
    ]
    assert "PX-2026-7Q4K9M" in said and outage.state.flow == "submitted"
    assert outage.state.outbox == []
