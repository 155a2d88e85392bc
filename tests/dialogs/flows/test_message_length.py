"""No message in any flow is longer than 300 characters, except the procedure card:
every procedure of the catalog walked from its name to the submission, in both
languages, plus the menu, help, tracking and the escapes."""

from __future__ import annotations

import pytest

from backend_client import Procedure
from dialogs import Reply
from tests.dialogs.flows.conftest import NOW, Typist
from tests.support.forms import sample_answers

LIMIT = 300


def _too_long(replies: list[Reply]) -> list[str]:
    # The procedure card (papers, fee, time, where) is the one long message by design.
    return [r.text for r in replies if len(r.text) > LIMIT and not r.text.startswith("📋")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_procedure_walked_has_no_long_message(
    typist: Typist, catalog_procedures: dict[str, Procedure], lang: str
) -> None:
    for slug, proc in catalog_procedures.items():
        walker = Typist(typist.ctx)
        walker.state.lang, walker.state.lang_chosen = lang, True
        walker.says((proc.aliases or [proc.name["vi"]])[0])
        assert walker.state.procedure == slug, (slug, walker.text)
        walker.says("bắt đầu")
        walker.says("đồng ý")
        answers = sample_answers(proc, today=NOW.date())
        for _ in range(40):
            if walker.state.flow == "form" and walker.state.field:
                answer = str(answers[walker.state.field])
                walker.says(answer)
                if walker.state.held is not None:
                    walker.says("ok")
            elif walker.state.flow == "documents":
                walker.sends_photo()
                walker.sends_photo()
                walker.says("xong")
            else:
                break
        assert walker.state.flow == "review", (slug, walker.text)
        walker.says("nộp luôn")
        assert walker.state.flow == "submitted", (slug, walker.text)
        assert not _too_long(walker.all_replies), slug


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_menu_help_tracking_and_escapes_have_no_long_message(typist: Typist, lang: str) -> None:
    typist.state.lang, typist.state.lang_chosen = lang, True
    for text in ("/help", "xin chào", "tra cứu", "PX-2026-7Q4K9M", "hồ sơ của tôi", "giúp"):
        typist.says(text)
    typist.says("khai sinh")
    typist.says("bắt đầu")
    typist.says("đồng ý")
    for text in ("Huy", "hủy", "tiếp tục", "nguyen van an", "sai", "đổi ngôn ngữ", "gặp cán bộ"):
        typist.says(text)
    assert not _too_long(typist.all_replies)
