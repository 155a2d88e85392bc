"""The photos of the papers: one paper at a time, with no dead end.

The counter counts every photo of the paper; a card photographed on both sides names
the side wanted next; any photo can be removed or replaced from the chat (buttons, or
typed: "xoá ảnh 2", "bỏ ảnh cuối", "chụp lại mặt sau"); typed "xong" ends a paper;
photos sent before their paper was asked for are kept for the first paper they fit.
How many photos a paper takes is the portal's rule (``document_rules`` of the
application, kept in ``state.rules``), the catalog's when the portal sent none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend_client import DocumentSpec
from dialogs.conditions import active_documents
from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.i18n import N_, t
from dialogs.replies import Btn
from dialogs.state import State, Step
from dialogs.text import fold, yes_no
from dialogs.ui import nav_row, next_question, say, sbtn

SUPPLEMENT = "supplement_requested"


@dataclass(frozen=True)
class Rule:
    min_files: int
    max_files: int
    sides: int
    required: bool


def in_supplement(s: State) -> bool:
    return s.status == SUPPLEMENT


def _specs(step: Step, ctx: Context) -> list[DocumentSpec]:
    s = step.state
    assert s.procedure is not None
    return list(ctx.procedures[s.procedure].documents)


def _spec(step: Step, ctx: Context, code: str) -> DocumentSpec:
    return next(d for d in _specs(step, ctx) if d.code == code)


def docs_todo(step: Step, ctx: Context) -> list[DocumentSpec]:
    """The papers to photograph: during a supplement exactly the ones asked for."""
    s = step.state
    assert s.procedure is not None
    if in_supplement(s):
        return [d for d in _specs(step, ctx) if d.code in s.supplement]
    return active_documents(ctx.procedures[s.procedure], s.answers, ctx.now.date())


def rule(step: Step, ctx: Context, code: str) -> Rule:
    r = step.state.rules.get(code)
    if r:
        return Rule(r["min_files"], r["max_files"], r["sides"], bool(r["required"]))
    spec = _spec(step, ctx, code)
    return Rule(spec.min_files, spec.max_files, spec.sides, spec.required)


def _name(spec: DocumentSpec, lang: str) -> str:
    return spec.name.get(lang) or spec.name["vi"]


def _have(s: State, code: str) -> int:
    return len(s.photos[code]) if code in s.photos else s.docs.get(code, 0)


def _error_message(error: dict[str, Any], field: str, lang: str) -> str:
    """The portal's message about this paper (its per-field one when there is one)."""
    for f in error.get("fields") or []:
        if f.get("field") == field and f.get("message"):
            return str(f["message"].get(lang) or f["message"].get("vi"))
    message = error.get("message") or {}
    return str(message.get(lang) or message.get("vi") or t(lang, N_("This file cannot be used.")))


def restore(s: State, app: dict[str, Any]) -> None:
    """Photo ids and rules from a portal application (the portal counts, not the bot)."""
    photos: dict[str, list[int]] = {}
    for doc in app.get("documents") or []:
        photos.setdefault(doc["code"], []).append(int(doc["id"]))
    rules: dict[str, dict[str, int]] = {}
    for r in app.get("document_rules") or []:
        # During a supplement only the photos sent since the request count.
        photos[r["code"]] = [int(i) for i in r.get("ids") or []]
        rules[r["code"]] = {
            "min_files": int(r["min_files"]),
            "max_files": int(r["max_files"]),
            "sides": int(r.get("sides") or 1),
            "required": int(bool(r.get("required", True))),
        }
    s.photos = photos
    s.rules = rules
    s.docs = {code: len(ids) for code, ids in photos.items() if ids}
    s.replacing = None


# --- asking -------------------------------------------------------------------------


def start(step: Step, ctx: Context) -> None:
    from dialogs.flows import form

    s = step.state
    docs = docs_todo(step, ctx)
    todo = [d for d in docs if _have(s, d.code) < rule(step, ctx, d.code).max_files]
    if not docs:
        form.confirm_submit(step, ctx) if in_supplement(s) else form.load_for_review(step)
        return
    ask(step, ctx, (todo or docs)[0].code)


def _slot_name(lang: str, r: Rule, index: int) -> str:
    if r.sides == 2:
        return t(lang, N_("the front side") if index == 0 else N_("the back side"))
    return t(lang, N_("photo {n}"), n=index + 1)


def _slot_label(lang: str, r: Rule, index: int) -> str:
    if r.sides == 2:
        return t(lang, N_("Front side") if index == 0 else N_("Back side"))
    return t(lang, N_("Photo {n}"), n=index + 1)


def _next_side(lang: str, r: Rule, have: int, replacing: int | None) -> str | None:
    """ "Now the front side" / "Now the back side" for a two-sided card."""
    if r.sides != 2:
        return None
    slot = replacing if replacing is not None else have
    if slot >= 2:
        return None
    return t(
        lang, N_("Now the front side, please.") if slot == 0 else N_("Now the back side, please.")
    )


def _rows(step: Step, ctx: Context, code: str) -> list[tuple[Btn, ...]]:
    s = step.state
    lang = s.lang
    r = rule(step, ctx, code)
    have = _have(s, code)
    rows: list[tuple[Btn, ...]] = []
    if have >= r.min_files and (have > 0 or not r.required):
        rows.append((sbtn(s, t(lang, N_("✅ Done, next")), "done"),))
    if have:
        rows.append(
            (
                sbtn(s, t(lang, N_("🔁 Retake a photo")), "ph:re"),
                sbtn(s, t(lang, N_("🗑 Remove a photo")), "ph:rm"),
            )
        )
    if not r.required and not in_supplement(s) and have == 0:
        rows.append((sbtn(s, t(lang, N_("⏭ I don't have it, skip")), "skip"),))
    rows.append(nav_row(s))
    return rows


def ask(step: Step, ctx: Context, code: str, error: str | None = None) -> None:
    """Ask for (more) photos of paper ``code``; early photos that fit go in at once."""
    s = step.state
    s.flow = "documents"
    if s.doc != code:
        s.replacing = None
    s.doc = code
    next_question(s)
    docs = docs_todo(step, ctx)
    spec = _spec(step, ctx, code)
    r = rule(step, ctx, code)
    lang = s.lang
    have = _have(s, code)
    # A photo offered to replace one of a full paper is for that paper only.
    s.early = [f for f in s.early if not f.get("offer") and f.get("for") in (None, s.procedure)]
    if s.early and not error and have < r.max_files and s.replacing is None:
        files, s.early = s.early[: r.max_files - have], s.early[r.max_files - have :]
        files = [{k: v for k, v in f.items() if k != "for"} for f in files]
        say(
            step,
            t(
                lang,
                N_("I am using the photo(s) you sent earlier for: {name}."),
                name=_name(spec, lang),
            ),
        )
        upload(step, ctx, files)
        return
    lines = []
    if error:
        lines.append("⚠️ " + error)
    codes = [d.code for d in docs]
    if code in codes:
        lines.append(t(lang, N_("Papers {n}/{total}"), n=codes.index(code) + 1, total=len(codes)))
    lines.append(t(lang, N_("Please take a photo of: {name}"), name=_name(spec, lang)))
    if have == 0:
        if spec.help:
            lines.append(spec.help.get(lang) or spec.help["vi"])
        else:
            lines.append(t(lang, N_("Lay the paper flat in good light so all of it shows.")))
    lines.extend(_progress(step, ctx, code))
    say(step, "\n".join(lines), *_rows(step, ctx, code), kind="error" if error else "ask")


def _progress(step: Step, ctx: Context, code: str, *, count: bool = True) -> list[str]:
    s = step.state
    lang = s.lang
    r = rule(step, ctx, code)
    have = _have(s, code)
    side = _next_side(lang, r, have, s.replacing)
    if s.replacing is not None:
        return [side or t(lang, N_("Please send the new photo."))]
    if have >= r.max_files:
        return [
            t(lang, N_("This paper has all its photos ({n})."), n=have),
            t(lang, N_('Type "done" to go on, or retake a photo.')),
        ]
    lines = []
    if have and count:
        lines.append(t(lang, N_("Received so far: {n} photo(s)."), n=have))
    if side:
        lines.append(side)
    elif have >= r.min_files and have:
        lines.append(t(lang, N_('More pages? Send them. When finished, type "done".')))
    return lines


# --- photos arriving --------------------------------------------------------------------


def files_of(event_files: Any) -> list[dict[str, Any]]:
    return [
        {"ref": f.ref, "kind": f.kind, "mime": f.mime, "name": f.name, "size": f.size}
        for f in event_files
    ]


def keep_early(step: Step, files: list[dict[str, Any]]) -> None:
    """Photos sent before the papers step: kept for the first paper they fit, with one
    short line instead of the whole question again (its buttons are still there)."""
    s = step.state
    # Tagged with the procedure shown: a procedure left for another does not inherit them.
    s.early = (s.early + [{**f, "for": s.procedure} for f in files])[-20:]
    say(step, t(s.lang, N_("Thank you, I will keep this photo for the papers step.")))


def upload(step: Step, ctx: Context, files: list[dict[str, Any]]) -> None:
    s = step.state
    assert s.doc is not None
    r = rule(step, ctx, s.doc)
    have = _have(s, s.doc)
    if s.replacing is None and have >= r.max_files:
        # A full paper: offer to replace one of its photos with the new one.
        s.early = [{**files[0], "offer": True}]
        _pick(step, ctx, "re", full=True)
        return
    room = 1 if s.replacing is not None else r.max_files - have
    if len(files) > room:
        # An album larger than the paper takes: the portal would refuse the extra ones.
        say(step, t(s.lang, N_("This paper takes {n} photo(s); I kept the first."), n=r.max_files))
        files = files[:room]
    s.pending = "upload"
    step.effects.append(Effect("upload", {"app_id": s.app_id, "code": s.doc, "files": files}))


def after_upload(step: Step, ctx: Context, ok: bool, value: Any, error: dict[str, Any]) -> None:
    s = step.state
    assert s.doc is not None
    if not ok:
        ask(step, ctx, s.doc, error=_error_message(error, f"documents.{s.doc}", s.lang))
        return
    ids = [int(d["id"]) for d in list(value or [])]
    photos = list(s.photos.get(s.doc, []))
    if s.replacing is not None and ids:
        photos[s.replacing : s.replacing] = ids[:1]
        photos.extend(ids[1:])
    else:
        photos.extend(ids)
    s.replacing = None
    s.photos[s.doc] = photos
    s.docs[s.doc] = len(photos)
    s.last_upload = ids
    r = rule(step, ctx, s.doc)
    spec = _spec(step, ctx, s.doc)
    lang = s.lang
    have = len(photos)
    if r.sides == 2 and have == 1:
        text = t(lang, N_("Received the front of {name}."), name=_name(spec, lang))
    else:
        text = t(lang, N_("Received {n} photo(s) of {name}."), n=have, name=_name(spec, lang))
    if have >= r.max_files:
        # Full: nothing more can come, so go on (the paper can still be reopened with back).
        say(step, text)
        done(step, ctx)
        return
    next_question(s)
    lines = [text, *_progress(step, ctx, s.doc, count=False)]
    say(step, "\n".join(lines), *_rows(step, ctx, s.doc), kind="ask")


# --- removing and replacing ----------------------------------------------------------


def _pick(step: Step, ctx: Context, how: str, *, full: bool = False) -> None:
    """Which photo to remove ("rm") or replace ("re"); one photo needs no question."""
    s = step.state
    assert s.doc is not None
    lang = s.lang
    ids = s.photos.get(s.doc, [])
    r = rule(step, ctx, s.doc)
    if not ids:
        say(step, t(lang, N_("There is no photo of this paper yet.")))
        ask(step, ctx, s.doc)
        return
    if len(ids) == 1 and not full:
        remove(step, ctx, 0, replace=how == "re")
        return
    next_question(s)
    spec = _spec(step, ctx, s.doc)
    if full:
        text = t(
            lang,
            N_("{name} already has its {n} photo(s). Replace one with the new photo?"),
            name=_name(spec, lang),
            n=len(ids),
        )
    else:
        text = t(lang, N_("Which photo?"))
    rows = [(sbtn(s, _slot_label(lang, r, i), f"ph:{how}:{i + 1}"),) for i in range(len(ids))[:10]]
    rows.append((sbtn(s, t(lang, N_("Keep them as they are")), "ph:keep"),))
    say(step, text, *rows, nav_row(s), kind="ask")


def remove(step: Step, ctx: Context, index: int, *, replace: bool) -> None:
    s = step.state
    assert s.doc is not None
    ids = s.photos.get(s.doc, [])
    if not 0 <= index < len(ids):
        say(step, t(s.lang, N_("This paper has only {n} photo(s)."), n=len(ids)))
        ask(step, ctx, s.doc)
        return
    # A card needs both sides: a removed side is always sent again.
    s.replacing = index if replace or rule(step, ctx, s.doc).sides == 2 else None
    s.pending = "remove_document"
    step.effects.append(Effect("remove_document", {"app_id": s.app_id, "doc_id": ids[index]}))
    s.last_upload = [ids[index]]


def retake(step: Step) -> None:
    """The old "retake the last photo" button (kept for messages already sent)."""
    s = step.state
    ids = s.photos.get(s.doc or "", [])
    if not ids:
        return
    s.replacing = len(ids) - 1
    s.last_upload = [ids[-1]]
    s.pending = "remove_document"
    step.effects.append(Effect("remove_document", {"app_id": s.app_id, "doc_id": ids[-1]}))


def after_remove(step: Step, ctx: Context, ok: bool) -> None:
    s = step.state
    assert s.doc is not None
    lang = s.lang
    r = rule(step, ctx, s.doc)
    ids = list(s.photos.get(s.doc, []))
    removed = s.last_upload[0] if s.last_upload else None
    if not ok or removed not in ids:
        s.replacing = None
        ask(step, ctx, s.doc)
        return
    index = ids.index(removed)
    ids.remove(removed)
    s.photos[s.doc] = ids
    s.docs[s.doc] = len(ids)
    s.last_upload = []
    what = _slot_name(lang, r, index)
    if s.replacing is not None and s.early:
        # The photo sent to a full paper takes the removed one's place.
        files, s.early = s.early[:1], s.early[1:]
        files = [{k: v for k, v in f.items() if k != "offer"} for f in files]
        say(step, t(lang, N_("Removed: {what}."), what=what))
        s.pending = "upload"
        step.effects.append(Effect("upload", {"app_id": s.app_id, "code": s.doc, "files": files}))
        return
    # One short message with the step's buttons, not the whole question again.
    next_question(s)
    if s.replacing is not None:
        lines = [t(lang, N_("Removed: {what}. Please send the new photo."), what=what)]
        side = _next_side(lang, r, len(ids), s.replacing)
        if side:
            lines.append(side)
    else:
        lines = [t(lang, N_("Removed: {what}."), what=what)]
        if ids:
            lines.append(t(lang, N_("{n} photo(s) left."), n=len(ids)))
        lines += _progress(step, ctx, s.doc, count=False)
    say(step, "\n".join(lines), *_rows(step, ctx, s.doc), kind="ask")


# --- going on -------------------------------------------------------------------------


def done(step: Step, ctx: Context) -> None:
    """The paper is finished (or skipped): the next paper, then review or resubmit."""
    from dialogs.flows import form

    s = step.state
    s.replacing = None
    s.early = [f for f in s.early if not f.get("offer")]  # a replacement not wanted after all
    docs = docs_todo(step, ctx)
    codes = [d.code for d in docs]
    index = codes.index(s.doc) if s.doc in codes else -1
    if index + 1 < len(codes):
        ask(step, ctx, codes[index + 1])
    elif in_supplement(s):
        form.confirm_submit(step, ctx)
    else:
        form.load_for_review(step)


def try_done(step: Step, ctx: Context) -> None:
    """ "Done" typed or pressed: go on only when the paper has its minimum."""
    s = step.state
    assert s.doc is not None
    r = rule(step, ctx, s.doc)
    have = _have(s, s.doc)
    if have >= r.min_files and (have > 0 or not r.required):
        done(step, ctx)
        return
    spec = _spec(step, ctx, s.doc)
    lang = s.lang
    if have == 0 and r.min_files <= 1:
        text = t(
            lang, N_("I have no photo of {name} yet. Please send one."), name=_name(spec, lang)
        )
    else:
        text = t(
            lang,
            N_("{name} needs {min} photo(s); I have {n}. Please send {rest} more."),
            name=_name(spec, lang),
            min=max(r.min_files, 1),
            n=have,
            rest=max(r.min_files, 1) - have,
        )
    side = _next_side(lang, r, have, None)
    say(step, text + ("\n" + side if side else ""), *_rows(step, ctx, s.doc), kind="ask")


def skip(step: Step, ctx: Context) -> None:
    s = step.state
    assert s.doc is not None
    if rule(step, ctx, s.doc).required or in_supplement(s):
        say(
            step,
            t(
                s.lang,
                N_("This paper is needed. If you do not have it, you can ask for a person."),
            ),
            *_rows(step, ctx, s.doc),
            kind="ask",
        )
        return
    done(step, ctx)


def on_button(step: Step, ctx: Context, arg: str) -> None:
    """``ph:rm`` / ``ph:re`` (which photo?), ``ph:rm:<n>`` / ``ph:re:<n>``, ``ph:keep``."""
    s = step.state
    how, _, number = arg.partition(":")
    if how == "keep":
        s.early, s.replacing = [], None
        ask(step, ctx, s.doc or "")
    elif how in ("rm", "re") and number.isdigit():
        remove(step, ctx, int(number) - 1, replace=how == "re")
    elif how in ("rm", "re"):
        _pick(step, ctx, how)
    else:
        ask(step, ctx, s.doc or "")


# --- typed words ----------------------------------------------------------------------

_PARTICLES = {"a", "nhe", "nha", "nghe", "roi", "di", "chau", "con", "oi", "giup", "cho", "toi"}
_DONE = {
    "xong",
    "xong roi",
    "het",
    "het roi",
    "du",
    "du roi",
    "du anh roi",
    "het anh roi",
    "gui xong",
    "gui xong roi",
    "chup xong",
    "chup xong roi",
    "xong het roi",
    "vay thoi",
    "the thoi",
    "roi",
    "tiep",
    "tiep theo",
    "tiep tuc",
    "done",
    "finished",
    "that's all",
    "thats all",
    "next",
}
_SKIP = {"bo qua", "khong co", "khong co giay nay", "chua co", "skip", "i don't have it"}
_REMOVE = ("xoa", "bo", "go", "delete", "remove")
_REPLACE = ("chup lai", "gui lai", "thay", "doi", "retake", "replace", "redo")
_NOUNS = {
    "anh",
    "tam",
    "hinh",
    "cai",
    "photo",
    "picture",
    "the",
    "so",
    "thu",
    "number",
    "one",
    "of",
}
_NUMBERS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "one": 1,
    "two": 2,
    "three": 3,
}
_LAST = {"cuoi", "cuoi cung", "vua gui", "vua roi", "moi gui", "last", "sau cung"}
_FRONT = {"mat truoc", "truoc", "front", "front side", "the front"}
_BACK = {"mat sau", "back", "back side", "the back"}
_VERBS = "chup lai|gui lai|xoa|bo|go|thay|doi|delete|remove|retake|replace|redo"
_CMD = re.compile(rf"^(?P<verb>{_VERBS})\b(?P<rest>.*)$")


def _slot(rest: str, count: int, sides: int) -> int | None:
    """0-based photo index named by the words after the verb; None when unclear."""
    # "ảnh số 2", "tấm cuối cùng", "the last photo", "photo 2", "cái ảnh khác".
    words = [w for w in rest.split() if w not in _PARTICLES | _NOUNS]
    text = " ".join(words)
    if not text or text in _LAST or text in ("khac", "kia", "nay", "do"):
        return count - 1
    if text in _FRONT:
        return 0
    if text in _BACK or (sides == 2 and text == "sau"):
        return 1
    if text.isdigit():
        return int(text) - 1
    if text in _NUMBERS:
        return _NUMBERS[text] - 1
    if text in ("dau", "dau tien", "first", "nhat"):
        return 0
    return None


def on_text(step: Step, ctx: Context, text: str) -> bool:
    """Typed words at the photos step: done, skip, remove or replace a photo. False when
    the words are none of these (the engine's escapes and choices then have a go)."""
    s = step.state
    if not s.doc or not s.procedure:
        return False
    folded = fold(text).rstrip(".!")
    core = " ".join(w for w in folded.split() if w not in _PARTICLES - {"roi"})
    if folded in _DONE or core in _DONE or (core.split()[:1] == ["xong"]):
        try_done(step, ctx)
        return True
    if folded in _SKIP or core in _SKIP:
        skip(step, ctx)
        return True
    found = _CMD.match(core)
    if found and not core.startswith("bo qua"):
        verb = found.group("verb")
        rest = found.group("rest").strip()
        named = [w for w in rest.split() if w not in _PARTICLES]
        if not named and verb not in ("chup lai", "gui lai", "retake", "redo"):
            return False  # "thấy rồi", "đợi", "bỏ": not about a photo
        ids = s.photos.get(s.doc, [])
        r = rule(step, ctx, s.doc)
        index = _slot(rest, len(ids), r.sides)
        if index is None:
            return False
        replace = verb in _REPLACE
        if not ids:
            say(step, t(s.lang, N_("There is no photo of this paper yet.")))
            ask(step, ctx, s.doc)
            return True
        remove(step, ctx, index, replace=replace)
        return True
    if yes_no(text) is True and _have(s, s.doc) > 0:
        try_done(step, ctx)
        return True
    return False


def not_a_photo(step: Step, ctx: Context) -> None:
    """Words that are no command here: say what this step takes, with its buttons."""
    s = step.state
    assert s.doc is not None
    spec = _spec(step, ctx, s.doc)
    lang = s.lang
    text = t(
        lang,
        N_('I am waiting for a photo of {name}. When all pages are sent, type "done".'),
        name=_name(spec, lang),
    )
    if _have(s, s.doc):
        text += "\n" + t(lang, N_('To take one again, type "retake photo 2".'))
    say(step, text, *_rows(step, ctx, s.doc), kind="ask")
