"""The pure core: events in, replies and effects out, no I/O anywhere."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dialogs import Button, Command, Context, EffectResult, Reply, State, Text, Unsupported, handle
from dialogs.state import Step
from dialogs.text import fold


def _send(state: State, event: Any, dctx: Context) -> Step:
    return handle(state, event, dctx)


def _press(step: Step, label_part: str, dctx: Context) -> Step:
    for reply in reversed(step.replies):
        for button in reply.flat_buttons:
            if fold(label_part) in fold(button.label):
                return handle(step.state, Button(button.data), dctx)
    raise AssertionError(f"no button like {label_part!r} in {[r.text for r in step.replies]}")


def _texts(step: Step) -> str:
    return "\n".join(r.text for r in step.replies)


def _app(answers: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "a" * 32,
        "procedure": "birth_registration",
        "status": "draft",
        "answers": answers or {},
        "documents": [],
        **extra,
    }


def _greeted() -> State:
    return State(greeted=True, lang_chosen=True)


def test_first_contact_says_it_is_a_machine_and_offers_languages(dctx: Context) -> None:
    step = _send(State(lang="en"), Command("start"), dctx)
    assert "not a person" in step.replies[0].text
    labels = [b.label for b in step.replies[0].flat_buttons]
    assert any("Tiếng Việt" in label for label in labels) and any("English" in x for x in labels)
    assert step.state.flow == "menu" and step.effects == []


def test_first_message_is_not_lost(dctx: Context) -> None:
    step = _send(State(), Text("tôi muốn làm giấy khai sinh cho cháu"), dctx)
    assert "không phải người" in step.replies[0].text
    assert step.state.flow == "checklist" and step.state.procedure == "birth_registration"


def test_checklist_then_consent_then_draft(dctx: Context) -> None:
    step = _send(_greeted(), Text("khai sanh"), dctx)
    assert "Giấy chứng sinh" in _texts(step) and "Miễn phí" in _texts(step)
    step = _press(step, "Bắt đầu", dctx)
    assert step.state.flow == "consent"
    step = _press(step, "không đồng ý", dctx)
    assert step.state.flow == "menu" and not step.state.consent and step.effects == []
    step = _send(step.state, Text("khai sinh"), dctx)
    step = _press(_press(step, "Bắt đầu", dctx), "Tôi đồng ý", dctx)
    assert [e.name for e in step.effects] == ["create_draft"]
    step = _send(step.state, EffectResult("create_draft", True, _app()), dctx)
    # The question that depends on a later answer counts until it is ruled out.
    assert "Bước 1/4" in _texts(step) and "Họ tên của bé" in _texts(step)


def _in_form(dctx: Context) -> Step:
    state = _greeted()
    state.consent = True
    step = _send(state, Text("khai sinh"), dctx)
    step = _press(step, "Bắt đầu", dctx)
    return _send(step.state, EffectResult("create_draft", True, _app()), dctx)


def test_an_answer_is_sent_raw_and_errors_are_shown_with_what_to_do(dctx: Context) -> None:
    step = _send(_in_form(dctx).state, Text("Nguyễn Thị Hoa"), dctx)
    assert step.effects[0].params["answers"] == {"child_name": "Nguyễn Thị Hoa"}
    step = _send(
        step.state, EffectResult("save_answers", True, _app({"child_name": "Nguyễn Thị Hoa"})), dctx
    )
    assert "Bước 2/4" in _texts(step)
    step = _send(step.state, Text("31/2/2026"), dctx)
    error = {
        "code": "validation_failed",
        "message": {"vi": "x", "en": "x"},
        "fields": [
            {
                "field": "child_dob",
                "code": "bad_date",
                "message": {
                    "vi": "Ngày sinh chưa đúng. Bác nhập theo dạng ngày/tháng/năm, "
                    "ví dụ 05/03/1950",
                    "en": "e",
                },
            }
        ],
    }
    step = _send(step.state, EffectResult("save_answers", False, error=error), dctx)
    assert "ví dụ 05/03/1950" in _texts(step) and step.state.field == "child_dob"


def test_choices_are_big_keyboard_buttons_and_their_labels_work(dctx: Context) -> None:
    step = _in_form(dctx)
    answers = {"child_name": "Hoa", "child_dob": "2026-03-01"}
    step = _send(step.state, Text("Hoa"), dctx)
    step = _send(step.state, EffectResult("save_answers", True, _app({"child_name": "Hoa"})), dctx)
    step = _send(step.state, Text("1/3/2026"), dctx)
    step = _send(step.state, EffectResult("save_answers", True, _app(answers)), dctx)
    question = step.replies[-1]
    assert question.layout == "keyboard" and "Đã kết hôn" in [
        b.label for b in question.flat_buttons
    ]
    step = _send(step.state, Text("đã kết hôn"), dctx)  # typed label, any case
    assert step.effects[0].params["answers"] == {"parents_married": "yes"}


def test_a_question_mid_form_is_answered_then_the_form_resumes(dctx: Context) -> None:
    step = _in_form(dctx)
    step = _send(step.state, Text("lệ phí làm khai sinh bao nhiêu tiền vậy?"), dctx)
    assert step.effects == []
    assert "Lệ phí" in step.replies[0].text and "Họ tên của bé" in step.replies[-1].text
    assert step.state.field == "child_name"


def _counting_nlu(dctx: Context) -> tuple[Context, list[str]]:
    """The context with an NLU that records each text it is asked to parse."""
    parsed: list[str] = []
    nlu = dctx.nlu

    class Counting:
        def parse(self, text: str, lang_hint: str | None = None) -> dict[str, Any]:
            parsed.append(text)
            return nlu.parse(text, lang_hint=lang_hint)

    return replace(dctx, nlu=Counting()), parsed


def test_a_name_typed_plainly_is_not_classified_a_question_at_a_name_is(dctx: Context) -> None:
    """Nothing reads the NLU's parse of a plain text answer, so it is not run there;
    a question typed at the same step still is (and gets its answer)."""
    step = _in_form(dctx)
    counted, parsed = _counting_nlu(dctx)
    answered = _send(step.state, Text("Nguyễn Thị Hoa"), counted)
    assert answered.effects[0].params["answers"] == {"child_name": "Nguyễn Thị Hoa"}
    assert parsed == []
    asked = _send(step.state, Text("lệ phí làm khai sinh bao nhiêu tiền vậy?"), counted)
    assert parsed == ["lệ phí làm khai sinh bao nhiêu tiền vậy?"]
    assert asked.effects == [] and "Lệ phí" in asked.replies[0].text


def test_a_date_typed_in_digits_is_not_classified_a_code_still_is_found(dctx: Context) -> None:
    """A date, number, phone or ID typed in digits alone: the classifier is not run
    (only a tracking code could be read there, and that is looked for directly); a
    date in words and a tracking code still go through the NLU."""
    step = _send(_in_form(dctx).state, Text("Nguyễn Thị Hoa"), dctx)
    answered = {"child_name": "Nguyễn Thị Hoa"}
    step = _send(step.state, EffectResult("save_answers", True, _app(answered)), dctx)
    assert step.state.field == "child_dob"
    counted, parsed = _counting_nlu(dctx)
    dated = _send(step.state, Text("12/3/2026"), counted)
    assert dated.effects[0].params["answers"] == {"child_dob": "12/3/2026"}
    assert parsed == []
    worded = _send(step.state, Text("ngay 12 thang 3 nam 2026"), counted)
    assert parsed == ["ngay 12 thang 3 nam 2026"] and worded.effects[0].name == "save_answers"
    tracked = _send(step.state, Text("PX-2026-7Q4K9M"), counted)
    assert parsed[-1] == "PX-2026-7Q4K9M"
    assert [e.name for e in tracked.effects] == ["track"]


def test_voice_notes_are_answered_kindly_and_change_nothing(dctx: Context) -> None:
    before = _in_form(dctx).state
    step = _send(before, Unsupported("voice"), dctx)
    assert "thoại" in step.replies[0].text and step.state.field == before.field
    assert step.state.flow == before.flow and step.effects == []


def test_stale_buttons_are_refused_kindly(dctx: Context) -> None:
    step = _in_form(dctx)
    old = step.replies[-1].flat_buttons[0].data
    step = _send(step.state, Text("Hoa"), dctx)
    step = _send(step.state, EffectResult("save_answers", True, _app({"child_name": "Hoa"})), dctx)
    stale = _send(step.state, Button(old), dctx)
    assert "tin nhắn cũ" in stale.replies[0].text and stale.state.field == "child_dob"


def test_every_reply_offers_a_way_forward(dctx: Context) -> None:
    steps = [_send(State(), Command("start"), dctx), _in_form(dctx)]
    steps.append(_send(steps[-1].state, Unsupported("sticker"), dctx))
    steps.append(_send(_greeted(), Text("asdkjh qwe zzz"), dctx))
    for step in steps:
        last: Reply = step.replies[-1]
        assert last.flat_buttons, last.text
        for reply in step.replies:
            if reply.kind == "ask":
                assert len(reply.text) <= 300, reply.text
            for button in reply.flat_buttons:
                assert len(button.data.encode()) <= 64


def test_language_switch_mid_form_keeps_the_step(dctx: Context) -> None:
    step = _in_form(dctx)
    step = _send(step.state, Button("g:lang:en"), dctx)
    assert step.state.lang == "en" and step.state.field == "child_name"
    assert "Child's name?" in _texts(step)


def test_deep_link_tracks_an_application(dctx: Context) -> None:
    step = _send(State(), Command("start", "trk_PX-2026-7Q4K9M"), dctx)
    assert [e.name for e in step.effects] == ["track"]


def test_a_support_officer_fills_a_field_and_the_citizen_confirms(dctx: Context) -> None:
    from dialogs import StaffAction

    step = _in_form(dctx)
    answers = {"child_name": "Nguyễn Thị Hoa"}
    step = _send(
        step.state,
        StaffAction(
            "filled", staff="Lan", target="child_name", value="Nguyễn Thị Hoa", answers=answers
        ),
        dctx,
    )
    assert "Lan" in step.replies[0].text and "Nguyễn Thị Hoa" in step.replies[0].text
    assert step.state.answers == answers
    step = _press(step, "Đúng", dctx)
    assert step.state.field == "child_dob"


def test_a_support_officer_returns_the_citizen_to_a_step(dctx: Context) -> None:
    from dialogs import StaffAction

    step = _in_form(dctx)
    step = _send(step.state, StaffAction("return_to", staff="Lan", target="parents_married"), dctx)
    assert step.state.field == "parents_married" and "kết hôn" in step.replies[-1].text
    step = _send(step.state, StaffAction("closed", staff="Lan"), dctx)
    assert "Lan" in step.replies[0].text and step.state.field == "parents_married"


def test_people_can_see_and_delete_their_data(dctx: Context) -> None:
    state = _in_form(dctx).state
    assert state.consent and state.answers == {}
    step = _send(state, Command("mydata"), dctx)
    assert [e.name for e in step.effects] == ["list_mine"]
    summary = [
        {
            "id": "a" * 32,
            "procedure_name": {"vi": "Khai sinh", "en": "Birth"},
            "status_label": {"vi": "Nháp", "en": "Draft"},
            "tracking_code": None,
        }
    ]
    step = _send(step.state, EffectResult("list_mine", True, summary), dctx)
    assert "Khai sinh" in _texts(step) and "Đồng ý" in _texts(step)
    step = _press(step, "Xóa dữ liệu", dctx)
    step = _press(step, "Có, xóa", dctx)
    assert [e.name for e in step.effects] == ["forget_me"]
    erased = {"deleted_applications": 1, "kept": [], "retention_years": 5, "chat_erased": True}
    step = _send(step.state, EffectResult("forget_me", True, erased), dctx)
    assert not step.state.consent and step.state.app_id is None and step.state.drafts == {}
    assert step.state.lang == "vi" and "rút lại" in _texts(step) and "1 hồ sơ" in _texts(step)


def _submitted_with_a_fee(dctx: Context, **extra: Any) -> Step:
    step = _in_form(dctx)
    step.state.pending = "submit"
    done = _app(
        status="submitted",
        tracking_code="PX-2026-00012K",
        due_date="2026-03-09",
        fee_amount=12000,
        **extra,
    )
    return _send(step.state, EffectResult("submit", True, done), dctx)


PAYMENT = {
    "reference": "MC12345678",
    "amount": 12000,
    "amount_words": {"vi": "Mười hai nghìn đồng", "en": "Twelve thousand dong"},
    "status": "pending",
    "payload": "00020101021238570010A00000072701270006970436011301234567890",
}


def test_the_fee_request_that_comes_with_the_submission_is_shown_at_once(dctx: Context) -> None:
    step = _submitted_with_a_fee(dctx, payment=PAYMENT)
    assert step.effects == []  # nothing more to ask the portal
    assert "PX-2026-00012K" in step.replies[0].text
    # The payment card (the VietQR code with the amount, payee... written on it), with
    # the steps for paying from this same phone.
    [card] = [r for r in step.replies if r.media and r.media.filename == "the-nop-le-phi.png"]
    assert card.media is not None and card.media.kind == "portal_image"
    assert card.media.data == f"/v1/applications/{step.state.app_id}/payment/card.png?lang=vi"
    assert "12.000" in card.text and "Mười hai nghìn đồng" in card.text
    assert "Thư viện" in card.text and "chuyển tiếp" in card.text


def test_the_submission_sends_the_receipt_whose_qr_opens_the_public_page(
    dctx: Context,
) -> None:
    url = "https://motcua.example.vn/t/PX-2026-00012K"
    step = _submitted_with_a_fee(dctx, payment=PAYMENT, tracking_url=url)
    first = step.replies[0]
    assert url in first.text
    assert first.media is not None and first.media.kind == "portal_image"
    assert first.media.data == f"/v1/applications/{'a' * 32}/receipt.png?lang=vi"
    # A portal that does not send the public address: the bot's deep link, as before.
    old = _submitted_with_a_fee(dctx, payment=PAYMENT).replies[0]
    assert old.media is not None and old.media.kind == "qr"
    assert old.media.data.endswith("?start=trk_PX-2026-00012K")


def test_without_it_the_fee_request_is_fetched(dctx: Context) -> None:
    step = _submitted_with_a_fee(dctx)
    assert [e.name for e in step.effects] == ["load_payment"]
    step = _send(step.state, EffectResult("load_payment", True, PAYMENT), dctx)
    assert any(r.media and r.media.data.endswith("/payment/card.png?lang=vi") for r in step.replies)
