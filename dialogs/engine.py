"""``handle(state, event, ctx) -> Step``: the whole conversation as a pure function."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from backend_client import FormField
from dialogs import choices, forget, values
from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.events import (
    Button,
    Command,
    Contact,
    EffectResult,
    Event,
    StaffAction,
    Text,
    Unsupported,
    Upload,
)
from dialogs.flows import documents, form, menu, procedure, status, supplement
from dialogs.i18n import N_, t
from dialogs.money import fee_summary, processing_summary
from dialogs.replies import Reply
from dialogs.state import State, Step
from dialogs.text import fold
from dialogs.ui import nav_row, next_question, say, sbtn
from kernel.jsoncopy import json_copy
from nlu import tracking

# Words that always mean navigation, whatever the step (compared folded).
NAV_WORDS = {
    "back": {"quay lai", "tro lai", "lui lai", "back", "go back", "<", "lui"},
    "menu": {
        "menu",
        "trang chu",
        "bat dau lai",
        "start over",
        "main menu",
        "/menu",
        "ve dau",
        "ve menu",
        "ve trang chu",
        "lam lai tu dau",
    },
    "mine": {"ho so cua toi", "ho so cua bac", "my application", "my applications"},
    "lang": {"doi ngon ngu", "ngon ngu", "language", "change language"},
    "lang:en": {"tieng anh", "english", "in english"},
    "lang:vi": {"tieng viet", "vietnamese", "in vietnamese"},
    "help": {"help", "tro giup", "giup", "giup voi", "huong dan", "?"},
    "cancel": {"huy", "huy bo", "thoi", "dung lai", "cancel", "stop", "thoat"},
    "human": {
        "gap can bo",
        "gap can bo ho tro",
        "gap nguoi",
        "nguoi that",
        "noi chuyen voi nguoi",
        "talk to a person",
        "human",
        "operator",
        "can bo",
    },
}
# Intents that interrupt a form only when the model is sure (an answer is never lost).
ASIDES = {
    "ask_fee",
    "ask_requirements",
    "ask_processing_time",
    "talk_to_human",
    "cancel",
    "go_back",
    "change_language",
    "office_info",
}
# Questions answered by choosing: typed words that fit none of the choices ask the same
# question again (unless they clearly ask something else).
PROMPTS = {
    "checklist",
    "consent",
    "confirm_submit",
    "confirm_cancel",
    "confirm_forget",
    "review",
    "language",
    "choose",
}
IN_FORM = {"form", "documents", "review", "confirm_submit", "consent", "checklist"}
STRONG = 0.8


RECENT = 4  # texts kept in state.recent
RECENT_CHARS = 200


def handle(state: State, event: Event, ctx: Context) -> Step:
    step = _handle(state, event, ctx)
    _register_choices(step, state.seq)
    _drop_old_keyboard(step)
    said = [r.text[:RECENT_CHARS] for r in step.replies if r.text]
    if said:
        step.state.recent = (step.state.recent + said)[-RECENT:]
    return step


def _register_choices(step: Step, seq_before: int) -> None:
    """Remember the buttons of the question now showing, so typed words can be matched
    to them (and a new question forgets the choices of the one before)."""
    s = step.state
    shown = [
        (b.label, b.data)
        for r in step.replies
        for b in r.flat_buttons
        if b.data.startswith((f"s{s.seq}:", "g:"))
    ]
    if s.seq != seq_before:
        s.choices = shown
    else:
        s.choices = s.choices + [c for c in shown if c not in s.choices]


def _drop_old_keyboard(step: Step) -> None:
    """A reply keyboard stays on the phone until a message without buttons removes it
    (a message carries one kind of buttons). When a question with inline buttons
    follows a keyboard, a short acknowledgement goes first to take the keyboard away,
    so its old buttons cannot answer the new question."""
    s = step.state
    replies: list[Reply] = []
    for reply in step.replies:
        if reply.layout == "keyboard" and reply.buttons:
            s.keyboard_up = True
        elif not reply.buttons:
            s.keyboard_up = False
        elif s.keyboard_up:
            replies.append(Reply(text=t(s.lang, N_("OK.")), extra={"keyboard": "remove"}))
            s.keyboard_up = False
        replies.append(reply)
    step.replies = replies


_IMMUTABLE = (str, int, float, type(None))  # bool is an int


def clone_state(state: State) -> State:
    """``state.model_copy(deep=True)`` for the engine's step (every event copies the
    state): the shallow copy keeps pydantic's bookkeeping, the fields are copied."""
    clone = state.model_copy()
    fields = clone.__dict__
    for name, value in fields.items():
        if not isinstance(value, _IMMUTABLE):
            fields[name] = json_copy(value)
    return clone


def _handle(state: State, event: Event, ctx: Context) -> Step:
    step = Step(clone_state(state))
    s = step.state
    if isinstance(event, EffectResult):
        _on_effect(step, event, ctx)
        return step
    if isinstance(event, StaffAction):
        _on_staff(step, event, ctx)
        return step
    s.pending = None  # a user event after a crash mid-effect: carry on from the step
    if not s.greeted:
        # First contact: say plainly this is a machine, offer the other language (the
        # guess came from the app's language), then deal with what they sent at once.
        s.greeted = True
        say(step, menu.greeting(s.lang, ctx), menu.language_row())
        if isinstance(event, Command) and event.name == "start":
            if event.args:
                _deep_link(step, ctx, event.args)
            else:
                menu.show_menu(step)
            return step
    if isinstance(event, Text):
        mapped = s.keyboard.get(fold(event.text))
        if mapped:
            event = Button(mapped)
    if isinstance(event, Command):
        _on_command(step, event, ctx)
    elif isinstance(event, Button):
        _on_button(step, event.data, ctx)
    elif isinstance(event, Text):
        _on_text(step, event.text, ctx)
    elif isinstance(event, Upload):
        _on_upload(step, event, ctx)
    elif isinstance(event, Contact):
        _on_contact(step, event, ctx)
    elif isinstance(event, Unsupported):
        _on_unsupported(step, event, ctx)
    return step


# --- commands and deep links ------------------------------------------------------------


def _on_command(step: Step, cmd: Command, ctx: Context) -> None:
    name = cmd.name.lower()
    if name == "start":
        if cmd.args:
            _deep_link(step, ctx, cmd.args)
        else:
            menu.show_menu(step)
    elif name == "help":
        menu.help_text(step)
        ask_current(step, ctx)
    elif name in ("status", "track"):
        status.ask_code(step)
    elif name in ("human", "support"):
        menu.request_human(step, ctx, "command")
    elif name in ("language", "lang"):
        menu.choose_language(step)
    elif name in ("mine", "applications"):
        status.list_mine(step)
    elif name in ("mydata", "privacy", "data"):
        s = step.state
        s.pending = "list_mine:mydata"
        step.effects.append(Effect("list_mine"))
    elif name in ("forget", "deletedata"):
        _ask_forget(step)
    else:
        menu.show_menu(step)


def _deep_link(step: Step, ctx: Context, payload: str) -> None:
    if payload.startswith("trk_"):
        code = _code_in(payload[4:], ctx)
        if code:
            status.track(step, code)
            return
    if payload.startswith("proc_") and payload[5:] in ctx.procedures:
        procedure.checklist(step, ctx, payload[5:])
        return
    menu.show_menu(step)


def _code_in(text: str, ctx: Context) -> str | None:
    for ent in ctx.nlu.parse(text.replace("_", " ")).get("entities", []):
        if ent.get("entity") == "tracking_code":
            return str(ent["value"])
    return None


# --- buttons ------------------------------------------------------------------------


def _on_button(step: Step, data: str, ctx: Context) -> None:
    s = step.state
    scope, _, action = data.partition(":")
    if scope == "g":
        _global_action(step, action, ctx)
        return
    if scope != f"s{s.seq}":
        say(
            step,
            t(s.lang, N_("That button belongs to an earlier message. Here is where we are now:")),
        )
        ask_current(step, ctx)
        return
    verb, _, arg = action.partition(":")
    if verb == "back":
        _back(step, ctx)
    elif verb == "cat":
        procedure.choose_in_category(step, ctx, arg)
    elif verb == "groups":
        procedure.choose_category(step, ctx)
    elif verb == "proc" and arg in ctx.procedures:
        procedure.checklist(step, ctx, arg)
    elif verb == "start":
        _begin(step, ctx)
    elif verb == "later":
        menu.show_menu(step, t(s.lang, N_("All right. Come back any time.")))
    elif verb == "resume" and s.procedure in s.drafts:
        status.open_application(step, s.drafts[s.procedure], "resume")
    elif verb == "restart" and s.procedure in s.drafts:
        old = s.drafts.pop(s.procedure)
        s.pending = "cancel_application:restart"
        step.effects.append(Effect("cancel_application", {"app_id": old}))
    elif verb == "consent":
        if arg == "yes":
            s.consent = True
            procedure.create_draft(step)
        else:
            procedure.consent_refused(step, ctx)
    elif verb == "ans" and s.flow == "form":
        form.save_answer(step, arg)
    elif verb == "skip" and s.flow == "form":
        form.advance(step, ctx)
    elif verb == "done" and s.flow == "documents":
        documents.try_done(step, ctx)
    elif verb == "skip" and s.flow == "documents":
        documents.skip(step, ctx)
    elif verb == "ph" and s.flow == "documents":
        documents.on_button(step, ctx, arg)
    elif verb == "retake" and s.flow == "documents":
        documents.retake(step)
        if not step.effects:
            form.ask_document(step, ctx, s.doc or "")
    elif verb == "forget":
        if arg == "yes":
            s.pending = "forget_me"
            step.effects.append(Effect("forget_me"))
        else:
            menu.show_menu(step)
    elif verb == "keepheld" and s.flow == "form" and s.held is not None:
        value, s.held = s.held, None
        form.save_answer(step, value)
    elif verb == "retype" and s.flow == "form" and s.field:
        s.held = None
        form.ask_field(step, ctx, s.field)
    elif verb == "staffok":
        form.advance(step, ctx)
    elif verb == "submit":
        form.confirm_submit(step, ctx)
    elif verb == "edit" and arg:
        s.editing = True
        form.ask_field(step, ctx, arg)
    elif verb == "edit":
        form.choose_edit(step, ctx)
    elif verb == "drop":
        _ask_cancel(step)
    elif verb == "confirm":
        if arg == "yes":
            form.submit(step)
        elif documents.in_supplement(s):
            supplement.again(step, ctx)
        else:
            form.review(step, ctx)
    elif verb == "leave":
        _leave(step, ctx, arg)
    else:
        ask_current(step, ctx)


def _global_action(step: Step, action: str, ctx: Context) -> None:
    s = step.state
    verb, _, arg = action.partition(":")
    if verb == "menu":
        _leave_quietly(s)
        menu.show_menu(step)
    elif verb == "new" or verb == "info":
        _leave_quietly(s)
        procedure.choose_category(step, ctx)
    elif verb == "track":
        _leave_quietly(s)
        status.ask_code(step)
    elif verb == "mine":
        _leave_quietly(s)
        status.list_mine(step)
    elif verb == "human":
        menu.request_human(step, ctx, "button")
    elif verb == "forget":
        _ask_forget(step)
    elif verb == "lang" and arg in ("vi", "en"):
        s.lang = arg
        s.lang_chosen = True
        say(step, t(s.lang, N_("The language is now English.")))
        if s.flow == "language" and s.resume_flow:
            s.flow, s.resume_flow = s.resume_flow, None
            ask_current(step, ctx)
        elif s.flow == "language":
            menu.show_menu(step)
        else:
            ask_current(step, ctx)
    elif verb == "lang":
        menu.choose_language(step)
    elif verb in ("app", "cont", "supp", "paid") and arg:
        status.open_application(
            step, arg, {"app": "show", "cont": "resume", "supp": "supplement", "paid": "paid"}[verb]
        )
    elif verb in ("follow", "unfollow") and arg:
        status.follow(step, arg, on=verb == "follow")
    elif verb == "pay" and arg:
        s.app_id = arg
        s.pending = "load_payment"
        step.effects.append(Effect("load_payment", {"app_id": arg}))
    else:
        menu.show_menu(step)


def _leave_quietly(s: State) -> None:
    """Leaving mid-application keeps the draft to come back to."""
    if s.flow in IN_FORM and s.app_id and s.procedure and s.status in (None, "draft"):
        s.drafts[s.procedure] = s.app_id
    s.editing = False
    s.supplement = []


def _begin(step: Step, ctx: Context) -> None:
    s = step.state
    s.answers, s.docs, s.back, s.app_id, s.status = {}, {}, [], None, None
    if s.consent:
        procedure.create_draft(step)
    else:
        procedure.ask_consent(step)


def _back(step: Step, ctx: Context) -> None:
    s = step.state
    if s.flow in ("form", "documents") and form.go_back(step, ctx):
        return
    if s.flow in ("form", "documents", "consent") and s.procedure:
        _leave_quietly(s)
        procedure.checklist(step, ctx, s.procedure)
    elif s.flow == "checklist" and s.category:
        procedure.choose_in_category(step, ctx, s.category)
    elif s.flow == "checklist" or s.flow == "choose":
        procedure.choose_category(step, ctx) if s.category else menu.show_menu(step)
        s.category = None
    else:
        menu.show_menu(step)


def _ask_cancel(step: Step) -> None:
    s = step.state
    s.flow = "confirm_cancel"
    next_question(s)
    say(
        step,
        t(s.lang, N_("Stop this application? What you entered can be kept for later.")),
        (sbtn(s, t(s.lang, N_("⏸ Keep it for later")), "leave:keep"),),
        (sbtn(s, t(s.lang, N_("🗑 Delete it for good")), "leave:drop"),),
        (sbtn(s, t(s.lang, N_("▶ Go on with it")), "leave:stay"),),
        kind="ask",
    )


def _leave(step: Step, ctx: Context, how: str) -> None:
    s = step.state
    if how == "keep":
        if s.app_id and s.procedure:
            s.drafts[s.procedure] = s.app_id
        menu.show_menu(step, t(s.lang, N_("Kept. Choose the same procedure again to continue.")))
    elif how == "drop" and s.app_id:
        s.pending = "cancel_application:drop"
        step.effects.append(Effect("cancel_application", {"app_id": s.app_id}))
    else:
        _resume_application(step, ctx)


def _resume_application(step: Step, ctx: Context) -> None:
    s = step.state
    if (s.field and s.field in s.answers) or not s.field:
        form.start_form(step, ctx)
    else:
        form.ask_field(step, ctx, s.field)


# --- text -----------------------------------------------------------------------------


def _nav_word(folded: str) -> str | None:
    for action, words in NAV_WORDS.items():
        if folded in words:
            return action
    return None


def _on_text(step: Step, text: str, ctx: Context) -> None:
    s = step.state
    folded = fold(text)
    if not folded:
        ask_current(step, ctx)
        return
    # The photos step's own words (done, remove or retake a photo) come first.
    if s.flow == "documents" and documents.on_text(step, ctx, text):
        return
    if s.flow not in ("form", "documents") and supplement.asks_for_it(text):
        supplement.find(step)
        return
    field = _current_field(s, ctx)
    value_question = field is not None and field.type != "choice" and s.held is None
    if s.flow == "review" and form.edit_named(step, ctx, folded):
        return
    # 1. A label or the step's own verb typed in full: the press it stands for.
    menu_entries = [(t(s.lang, label), f"g:{action}") for action, label in menu.MENU]
    found = choices.match(text, s.choices + menu_entries, loose=False)
    if found.data:
        _on_typed_press(step, found.data, folded, ctx)
        return
    # 2. Escapes, at every step; a name question may take a name that looks like one.
    nav = _nav_word(folded)
    if nav and field is not None and _name_field(field) and _plain(text) and " " not in folded:
        _hold_name(step, text, ambiguous=True)
        return
    if nav:
        _nav(step, nav, ctx)
        return
    if (
        value_question
        and field is not None
        and field.type in ("text", "address")
        and not _looks_like_question(step, text, ctx)
    ):
        # A name or an address typed plainly: nothing below reads the NLU's parse of it
        # (a text answer is never taken for a tracking code, and an aside at a text
        # question needs a question), so the classifier is not run.
        parsed = _unclassified(codes=())
    elif value_question and _plain_value(text):
        # A number, date, phone or ID typed with no word in it: only a tracking code could
        # be read from it, and that is looked for directly (the classifier has nothing to
        # read in digits, and an aside needs words).
        parsed = _unclassified(codes=[c.value for c in tracking.find_codes(text)])
    else:
        parsed = ctx.nlu.parse(text, lang_hint=s.lang)
    intent = parsed["intent"]["name"]
    confidence = float(parsed["intent"]["confidence"])
    code = _entity(parsed, "tracking_code")
    if code and value_question and field is not None and field.type not in ("text", "address"):
        status.track(step, code)  # a tracking code is never a date, number or ID
        return
    # Another procedure named while choosing one: straight to it, not to its group.
    slug = _entity(parsed, "procedure")
    if slug and slug != s.procedure and s.flow in ("menu", "choose", "checklist"):
        _understand(step, parsed, ctx)
        return
    # "A" / "B" at a question with lettered choices ("Ý Bác là A hay B?").
    picked = None if value_question else procedure.lettered(folded, s.choices)
    if picked is not None:
        _on_typed_press(step, picked, folded, ctx)
        return
    # 3. The guesses: yes/no, ordinals, a word only one choice has, typos.
    if not value_question:
        found = choices.match(text, s.choices, parsed)
        if found.data:
            _on_typed_press(step, found.data, folded, ctx)
            return
        if found.ambiguous:
            _which_one(step, found.ambiguous, ctx)
            return
    # 4. A reply-keyboard button of an earlier question: never stored as an answer.
    if folded in s.old_keyboard:
        say(
            step,
            t(s.lang, N_("That button belongs to an earlier message. Here is where we are now:")),
        )
        ask_current(step, ctx)
        return
    if s.flow == "form" and field is not None:
        if intent in ASIDES and confidence >= STRONG and _looks_like_question(step, text, ctx):
            _aside(step, intent, parsed, ctx)
            return
        s.held = None  # typed again instead of confirming: this is the answer now
        if field.type == "choice":
            _not_caught(step, ctx)
            return
        if field.type in ("date", "citizen_id", "phone") and re.fullmatch(r"#?\d", text.strip()):
            # One digit is no date, ID or phone: the number of a button (as the terminal
            # numbers them), in the order they are shown.
            n = int(text.strip().lstrip("#"))
            if 1 <= n <= len(s.choices):
                _on_typed_press(step, s.choices[n - 1][1], folded, ctx)
                return
        value = values.normalize(field, text.strip(), ctx.now.date())
        if _name_field(field) and _plain(value) and len(value.split()) > 1 and s.lang == "vi":
            _hold_name(step, value, ambiguous=False)
            return
        form.save_answer(step, value)
        return
    if s.flow in PROMPTS and not code and not _entity(parsed, "procedure"):
        if intent in ASIDES and confidence >= STRONG:
            _aside(step, intent, parsed, ctx)
        elif intent in ("check_status", "list_applications") and confidence >= STRONG:
            _understand(step, parsed, ctx)
        else:
            _not_caught(step, ctx)
        return
    if s.flow == "documents":
        if intent in ASIDES and confidence >= STRONG:
            _aside(step, intent, parsed, ctx)
            return
        documents.not_a_photo(step, ctx)
        return
    if s.flow == "track":
        code = _entity(parsed, "tracking_code")
        if code:
            status.track(step, code)
            return
    _understand(step, parsed, ctx)


def _on_typed_press(step: Step, data: str, folded: str, ctx: Context) -> None:
    s = step.state
    if (
        s.flow == "review"
        and choices.action_of(data) == "submit"
        and any(w in folded.split() for w in ("luon", "ngay", "now"))
    ):
        # "nộp luôn" answers the confirmation too: it says submit, right now.
        form.submit(step)
        return
    if data.startswith("g:"):
        _global_action(step, data[2:], ctx)
    else:
        _on_button(step, data, ctx)


def _current_field(s: State, ctx: Context) -> FormField | None:
    if s.flow != "form" or not s.field or not s.procedure or s.procedure not in ctx.procedures:
        return None
    return next((f for f in ctx.procedures[s.procedure].fields if f.name == s.field), None)


def _name_field(field: FormField) -> bool:
    """A person's name (child_name, mother_name...): written with diacritics on papers."""
    return field.type == "text" and field.name.endswith("name")


def _plain(text: str) -> bool:
    """Letters without any Vietnamese diacritic ("nguyen van an", "Huy")."""
    return text.isascii() and any(c.isalpha() for c in text)


def _hold_name(step: Step, value: str, *, ambiguous: bool) -> None:
    """Show a name typed without diacritics back once before it goes on a paper; a
    single word that is also an escape ("Huy") is asked about instead of guessed."""
    s = step.state
    s.held = value
    next_question(s)
    if ambiguous:
        say(
            step,
            t(s.lang, N_('Is "{value}" the name, or do you want to stop here?'), value=value),
            (sbtn(s, t(s.lang, N_("✅ It is the name")), "keepheld"),),
            (sbtn(s, t(s.lang, N_("🛑 Stop the application")), "drop"),),
            kind="ask",
        )
        return
    say(
        step,
        t(
            s.lang,
            N_(
                'Names on papers are written with accents. I will write "{value}" exactly '
                "like this. Is it right, or will you type it again with accents?"
            ),
            value=value,
        ),
        (sbtn(s, t(s.lang, N_("✅ Yes, write it like this")), "keepheld"),),
        (sbtn(s, t(s.lang, N_("✏️ I will type it again")), "retype"),),
        kind="ask",
    )


def _not_caught(step: Step, ctx: Context) -> None:
    """Nothing typed fits this question: ask the same question again, never the menu."""
    s = step.state
    say(step, t(s.lang, N_("Sorry, I did not catch that. Please answer this question:")))
    ask_current(step, ctx)


def _which_one(step: Step, candidates: tuple[str, ...], ctx: Context) -> None:
    s = step.state
    labels = [label for label, data in s.choices if data in candidates]
    say(
        step,
        t(
            s.lang,
            N_('Did you mean "{first}" or "{second}"? Please press one, or type it in full.'),
            first=labels[0] if labels else "",
            second=labels[1] if len(labels) > 1 else "",
        ),
    )
    ask_current(step, ctx)


def _looks_like_question(step: Step, text: str, ctx: Context) -> bool:
    """A name or an address can contain anything; treat text as a question there only
    when it is phrased as one."""
    s = step.state
    assert s.procedure
    field = next((f for f in ctx.procedures[s.procedure].fields if f.name == s.field), None)
    if field is None or field.type not in ("text", "address"):
        return True
    folded = fold(text)
    return "?" in text or any(
        w in folded.split()
        for w in ("bao nhieu", "gi", "chi", "khong", "may", "how", "what", "can")
    )


def _unclassified(codes: Iterable[str]) -> dict[str, Any]:
    """A parse without the classifier: no intent, only the tracking codes given."""
    return {
        "intent": {"name": None, "confidence": 0.0},
        "entities": [{"entity": "tracking_code", "value": code} for code in codes],
    }


def _plain_value(text: str) -> bool:
    """Digits and separators only ("3", "0905 123 456", "12/3/1950"): no word, no
    question mark."""
    return "?" not in text and not any(ch.isalpha() for ch in text)


def _entity(parsed: dict[str, Any], name: str) -> str | None:
    for ent in parsed.get("entities", []):
        if ent.get("entity") == name:
            return str(ent["value"])
    return None


def _nav(step: Step, action: str, ctx: Context) -> None:
    s = step.state
    if action == "back":
        _back(step, ctx)
    elif action == "menu":
        _leave_quietly(s)
        menu.show_menu(step)
    elif action == "help":
        menu.help_text(step)
        ask_current(step, ctx)
    elif action == "cancel":
        if s.flow in ("form", "documents", "review", "confirm_submit") and s.app_id:
            _ask_cancel(step)
        else:
            menu.show_menu(step)
    elif action == "human":
        menu.request_human(step, ctx, "words")
    elif action == "mine":
        _leave_quietly(s)
        status.list_mine(step)
    elif action == "lang":
        menu.choose_language(step)
    elif action.startswith("lang:"):
        _global_action(step, action, ctx)


def _aside(step: Step, intent: str, parsed: dict[str, Any], ctx: Context) -> None:
    """Answer a question asked mid-form, then ask the same step again."""
    s = step.state
    slug = _entity(parsed, "procedure") or s.procedure
    proc = ctx.procedures.get(slug) if slug else None
    if intent == "talk_to_human":
        menu.request_human(step, ctx, "words")
        return
    if intent == "cancel":
        _nav(step, "cancel", ctx)
        return
    if intent == "go_back":
        _back(step, ctx)
        return
    if intent == "change_language":
        menu.choose_language(step)
        return
    if intent == "office_info":
        menu.office_info(step, ctx)
    elif proc is not None and intent == "ask_fee":
        say(step, t(s.lang, N_("Fee: {fee}"), fee=fee_summary(proc.fee, s.lang)))
    elif proc is not None and intent == "ask_processing_time":
        say(step, t(s.lang, N_("Time: {time}"), time=processing_summary(proc.processing, s.lang)))
    elif proc is not None and intent == "ask_requirements":
        names = [f"• {d.name.get(s.lang) or d.name['vi']}" for d in proc.documents]
        say(step, t(s.lang, N_("Papers to prepare (photos are fine):")) + "\n" + "\n".join(names))
    ask_current(step, ctx)


def _understand(step: Step, parsed: dict[str, Any], ctx: Context) -> None:
    """Free text outside a form: act on what was asked, or offer the best guesses."""
    s = step.state
    from nlu import LOW_CONFIDENCE

    intent = parsed["intent"]["name"]
    confidence = float(parsed["intent"]["confidence"])
    slug = _entity(parsed, "procedure")
    code = _entity(parsed, "tracking_code")
    if (code and intent in ("check_status", "out_of_scope")) or (
        code and confidence < LOW_CONFIDENCE
    ):
        status.track(step, code)
        return
    if confidence < LOW_CONFIDENCE and not slug:
        _guesses(step, parsed, ctx)
        return
    if slug and intent in (
        "start_procedure",
        "ask_requirements",
        "ask_fee",
        "ask_processing_time",
        "out_of_scope",
        "affirm",
    ):
        rival = procedure.close_rival(parsed, slug, ctx)
        if rival is not None:  # two named about as strongly: ask, never guess
            procedure.ask_which(step, ctx, slug, rival)
            return
        procedure.checklist(step, ctx, slug)
        return
    if intent == "start_procedure":
        procedure.choose_category(step, ctx)
    elif intent in ("ask_requirements", "ask_fee", "ask_processing_time"):
        say(step, t(s.lang, N_("For which procedure?")))
        procedure.choose_category(step, ctx)
    elif intent == "check_status":
        status.ask_code(step)
    elif intent in ("list_applications", "pay_fee"):
        status.list_mine(step)
    elif intent == "talk_to_human":
        menu.request_human(step, ctx, "words")
    elif intent == "change_language":
        menu.choose_language(step)
    elif intent == "office_info":
        menu.office_info(step, ctx)
        menu.show_menu(step)
    elif intent in ("greet",):
        menu.show_menu(step, t(s.lang, N_("Hello!")))
    elif intent in ("thanks", "goodbye"):
        menu.show_menu(step, t(s.lang, N_("You are welcome. I am here whenever you need me.")))
    elif intent in ("go_back",):
        _back(step, ctx)
    elif intent in ("cancel", "deny"):
        menu.show_menu(step)
    else:
        _guesses(step, parsed, ctx)


def _guesses(step: Step, parsed: dict[str, Any], ctx: Context) -> None:
    s = step.state
    next_question(s)
    options = {
        "start_procedure": ("g:new", N_("📝 Submit a new application")),
        "check_status": ("g:track", N_("🔎 Check an application")),
        "list_applications": ("g:mine", N_("📂 My applications")),
        "ask_requirements": ("g:info", N_("📋 Papers and fees")),
        "ask_fee": ("g:info", N_("📋 Papers and fees")),
        "ask_processing_time": ("g:info", N_("📋 Papers and fees")),
        "pay_fee": ("g:mine", N_("📂 My applications")),
        "office_info": ("g:menu", N_("🏠 Menu")),
    }
    from dialogs.replies import Btn

    seen: set[str] = set()
    rows = []
    for item in parsed.get("intent_ranking", [])[:4]:
        option = options.get(item["name"])
        if option and option[0] not in seen:
            seen.add(option[0])
            rows.append((Btn(t(s.lang, option[1]), option[0]),))
    say(
        step,
        t(s.lang, N_("Sorry, I did not quite understand. Did you mean one of these?")),
        *rows,
        nav_row(s, back=False),
        kind="ask",
    )


# --- files, contacts, the rest -------------------------------------------------------


def _on_upload(step: Step, event: Upload, ctx: Context) -> None:
    s = step.state
    files = documents.files_of(event.files)
    if s.flow == "documents" and s.doc:
        documents.upload(step, ctx, files)
        return
    if s.flow in ("form", "review", "confirm_submit", "consent", "checklist"):
        documents.keep_early(step, files)  # used for the first paper they fit
        return
    # Anywhere else a photo is most likely the QR code of a paper receipt, or a paper
    # the office asked for (kept while the QR code is looked for).
    s.early = files
    s.pending = "decode_qr"
    step.effects.append(Effect("decode_qr", {"file": files[0]}))


def _on_contact(step: Step, event: Contact, ctx: Context) -> None:
    s = step.state
    if s.flow == "form" and s.procedure:
        field = next((f for f in ctx.procedures[s.procedure].fields if f.name == s.field), None)
        if field is not None and field.type == "phone":
            form.save_answer(step, event.phone)
            return
    say(step, t(s.lang, N_("Thank you, I have your phone number.")))
    ask_current(step, ctx)


def _on_unsupported(step: Step, event: Unsupported, ctx: Context) -> None:
    s = step.state
    if event.kind == "voice":
        text = t(
            s.lang,
            N_(
                "Sorry, I cannot listen to voice messages yet. Please type, or press a button. "
                "You can also ask for a person."
            ),
        )
    elif event.kind == "edited":
        text = t(s.lang, N_("I only read new messages. Please send the corrected text again."))
    elif event.kind == "location":
        text = t(
            s.lang, N_("Thank you, but I do not need a location. Please type or press a button.")
        )
    else:
        text = t(s.lang, N_("I cannot read this kind of message. Please type, or press a button."))
    say(step, text, (menu_human_button(s),))
    ask_current(step, ctx)


def menu_human_button(s: State) -> Any:
    from dialogs.ui import gbtn

    return gbtn(t(s.lang, N_("🙋 Talk to a person")), "human")


# --- effect results -----------------------------------------------------------------


OUTBOX = "outbox:"  # prefix of the effect name of a delivered kept write (bot.runtime)


def _keep_for_later(step: Step, name: str, ctx: Context) -> bool:
    """The portal is down: an answer or a submit is kept in ``state.outbox`` (the shell
    delivers it when the portal is back), the citizen is told once, and the form goes
    on to the next question (or, for a submit, waits)."""
    s = step.state
    if name not in ("save_answers", "submit") or not s.app_id:
        return False
    if name == "save_answers":
        answers, s.saving = s.saving, None
        if s.flow != "form" or not s.field or not answers:
            return False
        s.outbox.append({"name": name, "params": {"app_id": s.app_id, "answers": answers}})
        s.answers = {**s.answers, **answers}
        _tell_outage(step)
        form.advance(step, ctx)
        return True
    if not s.submit_key:
        return False
    params = {"app_id": s.app_id, "key": s.submit_key}
    if not any(w["name"] == "submit" and w["params"] == params for w in s.outbox):
        s.outbox.append({"name": name, "params": params})
    s.flow = "submitting"
    next_question(s)
    say(
        step,
        t(
            s.lang,
            N_(
                "The ward's system is busy right now. Your application is kept and I will "
                "submit it as soon as the system is working again, then send you its code. "
                "You do not need to do anything."
            ),
        ),
        nav_row(s, back=False),
    )
    s.outage_told = True
    return True


def _tell_outage(step: Step) -> None:
    s = step.state
    if s.outage_told:
        return
    s.outage_told = True
    say(
        step,
        t(
            s.lang,
            N_(
                "The ward's system is busy right now. I have noted your answer and will "
                "send it as soon as the system is working again; you do not need to type "
                "it again. Let us go on."
            ),
        ),
    )


def _on_delivered(step: Step, result: EffectResult, ctx: Context) -> None:
    """The shell delivered the first kept write (or the portal refused it)."""
    s = step.state
    if not s.outbox:
        return
    write = s.outbox.pop(0)
    if not s.outbox:
        s.outage_told = False
    value, error, ok = result.value, result.error, result.ok
    if write["name"] == "save_answers":
        if ok:
            s.answers = {**s.answers, **dict((value or {}).get("answers") or {})}
            return
        # Refused by the portal (not an outage): ask that question again.
        field = next(iter(write["params"]["answers"]), None)
        s.answers = {k: v for k, v in s.answers.items() if k != field}
        if field and s.procedure in ctx.procedures and s.flow in ("form", "documents", "review"):
            s.editing = False
            form.ask_field(step, ctx, field, error=form._field_message(error, field, s.lang))
        return
    if write["name"] == "submit":
        form.after_submit(step, ctx, ok, value or {}, error)


def _on_effect(step: Step, result: EffectResult, ctx: Context) -> None:
    s = step.state
    pending = s.pending or result.effect
    s.pending = None
    name, _, purpose = pending.partition(":")
    value, error, ok = result.value, result.error, result.ok
    if result.effect.startswith(OUTBOX):
        s.pending = pending if pending != result.effect else None
        _on_delivered(step, result, ctx)
        return
    if not ok and error.get("code") == "unavailable" and _keep_for_later(step, name, ctx):
        return
    if not ok and error.get("code") == "unavailable":
        say(
            step,
            t(
                s.lang,
                N_(
                    "The ward's system is busy or unreachable. Nothing you entered is lost; "
                    "please try again in a few minutes."
                ),
            ),
            nav_row(s, back=False),
        )
        return
    if name == "create_draft":
        if not ok:
            say(step, _error_text(s, error))
            menu.show_menu(step)
            return
        procedure.restore_from(s, value)
        if s.procedure:
            s.drafts[s.procedure] = s.app_id or ""
        form.start_form(step, ctx)
    elif name == "save_answers":
        form.after_save(step, ctx, ok, value, error)
    elif name == "upload":
        documents.after_upload(step, ctx, ok, value, error)
    elif name == "remove_document":
        documents.after_remove(step, ctx, ok)
    elif name == "load_application":
        _after_load(step, ctx, purpose or "review", ok, value, error)
    elif name == "submit":
        form.after_submit(step, ctx, ok, value, error)
    elif name == "load_payment":
        form.show_payment(step, ctx, ok, value)
    elif name == "cancel_application":
        if purpose == "restart":
            _begin(step, ctx)
        else:
            if s.procedure:
                s.drafts.pop(s.procedure, None)
            s.app_id = None
            menu.show_menu(step, t(s.lang, N_("The application was deleted.")))
    elif name == "list_mine" and purpose in ("supplement", "supplement_photo"):
        supplement.after_list(step, ok, value, photo=purpose == "supplement_photo")
    elif name == "list_mine" and purpose == "mydata":
        _show_my_data(step, ok, value)
    elif name == "list_mine":
        status.show_mine(step, ok, value)
    elif name == "forget_me":
        if not ok:
            say(step, _error_text(s, error))
            menu.show_menu(step)
            return
        # Keep only the language: nothing personal stays in the conversation.
        step.state = State(lang=s.lang, lang_chosen=s.lang_chosen, greeted=True, seq=s.seq + 1)
        menu.show_menu(step, forget.done_text(step.state.lang, value))
    elif name == "track":
        status.show_track(step, ok, value, error)
    elif name == "decode_qr":
        text = (value or {}).get("text") if ok else None
        code = _code_in(text, ctx) if text else None
        if code:
            s.early = []
            status.track(step, code)
        elif s.early and s.flow != "track":
            supplement.find(step, photo=True)  # a paper for an application waiting for one?
        else:
            s.early = []
            status.ask_code(
                step,
                t(
                    s.lang,
                    N_("I could not read a code in this photo. Please type the code instead."),
                ),
            )
    elif name in ("follow", "unfollow"):
        status.after_follow(step, name == "follow", ok, value, error)
    elif name == "request_human":
        menu.after_human_request(step, ctx, ok, value)


def _error_text(s: State, error: dict[str, Any]) -> str:
    message = error.get("message") or {}
    return str(
        message.get(s.lang)
        or message.get("vi")
        or t(s.lang, N_("Something went wrong. Please try again."))
    )


def _after_load(
    step: Step, ctx: Context, purpose: str, ok: bool, value: Any, error: dict[str, Any]
) -> None:
    s = step.state
    if not ok:
        say(step, _error_text(s, error))
        menu.show_menu(step)
        return
    if purpose == "review":
        procedure.restore_from(s, value)
        form.review(step, ctx)
    elif purpose == "show":
        status.show_application(step, ctx, value)
    elif purpose == "paid":
        form.check_paid(step, value)
    elif purpose == "resume":
        procedure.restore_from(s, value)
        if value.get("status") != "draft":
            status.show_application(step, ctx, value)
            return
        form.start_form(step, ctx)
    elif purpose == "supplement":
        supplement.open_request(step, ctx, value)


def _ask_forget(step: Step) -> None:
    s = step.state
    s.flow = "confirm_forget"
    next_question(s)
    say(
        step,
        t(
            s.lang,
            N_(
                "Delete your data? Unfinished applications will be deleted with their answers "
                "and photos, and this chat's records too; your consent is withdrawn. Submitted "
                "applications stay with the ward office, as the law requires."
            ),
        ),
        (sbtn(s, t(s.lang, N_("🗑 Yes, delete my data")), "forget:yes"),),
        (sbtn(s, t(s.lang, N_("↩ No, keep it")), "forget:no"),),
        kind="ask",
    )


def _show_my_data(step: Step, ok: bool, value: Any) -> None:
    s = step.state
    lang = s.lang
    lines = [
        t(lang, N_("What this assistant keeps about you:")),
        t(lang, N_("Language: {lang}"), lang="Tiếng Việt" if lang == "vi" else "English"),
        t(
            lang,
            N_("Consent to collect personal data: {answer}"),
            answer=t(lang, N_("yes")) if s.consent else t(lang, N_("no")),
        ),
    ]
    for app in list(value or [])[:10] if ok else []:
        name = app["procedure_name"].get(lang) or app["procedure_name"]["vi"]
        status_text = app["status_label"].get(lang) or app["status_label"]["vi"]
        lines.append(f"• {name} — {status_text} {app.get('tracking_code') or ''}".rstrip())
    from dialogs.ui import gbtn

    say(
        step,
        "\n".join(lines),
        (gbtn(t(lang, N_("🗑 Delete my data")), "forget"),),
        (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
    )


def _on_staff(step: Step, event: StaffAction, ctx: Context) -> None:
    s = step.state
    if event.action == "closed":
        say(
            step,
            t(s.lang, N_("{name} has finished helping you. Let us carry on."), name=event.staff),
        )
        ask_current(step, ctx)
        return
    if event.answers:
        s.answers = dict(event.answers)
    if event.action == "filled" and event.target and s.procedure:
        proc = ctx.procedures[s.procedure]
        field = next((f for f in proc.fields if f.name == event.target), None)
        label = (field.label.get(s.lang) or field.label["vi"]) if field else event.target
        s.flow = "form"
        s.field = event.target
        next_question(s)
        say(
            step,
            t(
                s.lang,
                N_("{name} filled this in for you:\n{label}: {value}\nIs it right?"),
                name=event.staff,
                label=label,
                value=event.value,
            ),
            (sbtn(s, t(s.lang, N_("✅ Yes, it is right")), "staffok"),),
            (sbtn(s, t(s.lang, N_("✏️ No, change it")), f"edit:{event.target}"),),
            kind="ask",
        )
        return
    target = event.target or ""
    if target == "documents" and s.procedure and s.app_id:
        form.start_documents(step, ctx)
    elif target == "review" and s.app_id:
        form.load_for_review(step)
    elif s.procedure and target in [f.name for f in ctx.procedures[s.procedure].fields]:
        form.ask_field(step, ctx, target)
    else:
        ask_current(step, ctx)


def ask_current(step: Step, ctx: Context) -> None:
    """Show the current step again (after an aside, an error, a stale button...)."""
    s = step.state
    flow = s.flow
    if flow == "form" and s.field and s.procedure:
        form.ask_field(step, ctx, s.field)
    elif flow == "documents" and s.doc and s.procedure:
        form.ask_document(step, ctx, s.doc)
    elif flow == "review" and s.procedure:
        form.review(step, ctx)
    elif flow == "confirm_submit":
        form.confirm_submit(step, ctx)
    elif flow == "checklist" and s.procedure:
        procedure.checklist(step, ctx, s.procedure)
    elif flow == "consent":
        procedure.ask_consent(step)
    elif flow == "choose":
        procedure.choose_category(step, ctx)
    elif flow == "track":
        status.ask_code(step)
    elif flow == "language":
        menu.choose_language(step)
    elif flow == "confirm_cancel":
        _ask_cancel(step)
    elif flow == "confirm_forget":
        _ask_forget(step)
    else:
        menu.show_menu(step)
