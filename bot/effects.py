"""Runs the effects the engine asks for, through backend_client, and turns every
outcome (success or failure) into an ``EffectResult`` for the engine."""

from __future__ import annotations

import asyncio
import io
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BaseModel

from backend_client import Backend, BackendError, UnavailableError
from bot.files import FileSource, FileTooLargeError, FileUnavailableError
from dialogs import Effect, EffectResult, FileRef
from kernel.i18n import N_, localized

log = logging.getLogger(__name__)


class HandoffUnavailable(Exception):
    """The support team cannot be reached (e.g. the bot was removed from its group)."""


class FollowUnavailable(Exception):
    """This channel cannot receive the news of applications."""


class Handoffs(Protocol):
    async def add_handoff(self, key: str, reason: str, summary: dict[str, Any]) -> int: ...


class ChatEraser(Protocol):
    """bot.store.Store: erases a chat's records (bot.store.erasure)."""

    async def erase_chat(self, key: str) -> Any: ...


class Follows(Protocol):
    """bot.notify.subscriptions.Subscriptions: the chats told of an application's news."""

    async def subscribe(self, key: str, tracking_code: str, *, lang: str = ...) -> Any: ...
    async def unsubscribe(self, key: str, tracking_code: str) -> bool: ...


def error(
    code: str,
    message: dict[str, str],
    *,
    status: int = 0,
    fields: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {"status": status, "code": code, "message": message, "fields": fields or []}


def backend_error(exc: BackendError) -> dict[str, Any]:
    code = "unavailable" if isinstance(exc, UnavailableError) else exc.code
    return error(
        code,
        exc.message or localized(N_("The ward's system did not answer. Please try again later.")),
        status=exc.status,
        fields=[{"field": f.field, "code": f.code, "message": f.message} for f in exc.fields],
    )


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def file_ref(raw: FileRef | dict[str, Any]) -> FileRef:
    if isinstance(raw, FileRef):
        return raw
    return FileRef(
        ref=str(raw["ref"]),
        kind=raw.get("kind", "photo"),
        mime=raw.get("mime"),
        name=raw.get("name"),
        size=raw.get("size"),
    )


def _filename_and_type(ref: FileRef, index: int) -> tuple[str, str]:
    mime = ref.mime or (mimetypes.guess_type(ref.name)[0] if ref.name else None)
    if ref.kind == "photo" and not mime:
        mime = "image/jpeg"  # Telegram re-encodes every photo as JPEG
    mime = mime or "application/octet-stream"
    name = ref.name or f"{ref.kind}-{index + 1}{mimetypes.guess_extension(mime) or '.bin'}"
    if name.endswith(".jpe"):
        name = name[:-4] + ".jpg"
    return name, mime


def decode_qr_text(data: bytes) -> str | None:
    """The first barcode's text in an image, or None (also for a non-image)."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            found = zxingcpp.read_barcodes(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return next((b.text for b in found if b.text), None)


class EffectRunner:
    def __init__(
        self,
        backend: Backend,
        files: FileSource,
        handoffs: Handoffs | None = None,
        follows: Follows | None = None,
        erasure: ChatEraser | None = None,
    ) -> None:
        self.backend = backend
        self.files = files
        self.handoffs = handoffs
        self.follows = follows
        self.erasure = erasure
        self._handlers: dict[str, Callable[[dict[str, Any], str], Awaitable[Any]]] = {
            "create_draft": self._create_draft,
            "save_answers": self._save_answers,
            "upload": self._upload,
            "remove_document": self._remove_document,
            "load_application": self._load_application,
            "submit": self._submit,
            "cancel_application": self._cancel,
            "list_mine": self._list_mine,
            "track": self._track,
            "load_payment": self._load_payment,
            "decode_qr": self._decode_qr,
            "request_human": self._request_human,
            "forget_me": self._forget_me,
            "follow": self._follow,
            "unfollow": self._unfollow,
        }

    async def run(self, effect: Effect, citizen: str) -> EffectResult:
        """Never raises for backend, network or file errors: they become ok=False."""
        handler = self._handlers.get(effect.name)
        if handler is None:
            log.error("unknown effect %r", effect.name)
            return self._fail(effect, error("unknown_effect", _SORRY))
        try:
            value = await handler(effect.params, citizen)
        except BackendError as exc:
            return self._fail(effect, backend_error(exc))
        except HandoffUnavailable:
            return self._fail(effect, error("support_unreachable", _NO_SUPPORT))
        except FollowUnavailable:
            return self._fail(effect, error("follow_unavailable", _NO_FOLLOW))
        except FileTooLargeError:
            return self._fail(effect, error("too_large", _TOO_LARGE, status=413))
        except FileUnavailableError as exc:
            log.warning("file for %s not fetched: %s", effect.name, exc)
            return self._fail(effect, error("file_unavailable", _FILE_GONE))
        except httpx.HTTPError as exc:
            log.warning("portal unreachable for %s: %s", effect.name, exc)
            return self._fail(effect, error("unavailable", _BUSY))
        except Exception:
            # A bug here must not take the conversation down: the engine answers kindly.
            log.exception("effect %s failed", effect.name)
            return self._fail(effect, error("internal", _SORRY, status=500))
        return EffectResult(effect=effect.name, ok=True, value=_dump(value))

    @staticmethod
    def _fail(effect: Effect, err: dict[str, Any]) -> EffectResult:
        return EffectResult(effect=effect.name, ok=False, error=err)

    async def _create_draft(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.create_application(
            citizen, p["procedure"], lang=p.get("lang", "vi"), phone=p.get("phone")
        )

    async def _save_answers(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.set_answers(citizen, p["app_id"], dict(p["answers"]))

    async def _upload(self, p: dict[str, Any], citizen: str) -> Any:
        refs = [file_ref(f) for f in p.get("files", [])]
        # Fetch everything first: a too-large file refuses the whole batch, nothing half-sent.
        blobs = [await self.files.fetch(ref) for ref in refs]
        documents = []
        for index, (ref, data) in enumerate(zip(refs, blobs, strict=True)):
            name, mime = _filename_and_type(ref, index)
            documents.append(
                await self.backend.upload_document(
                    citizen, p["app_id"], p["code"], data, filename=name, content_type=mime
                )
            )
        return documents

    async def _remove_document(self, p: dict[str, Any], citizen: str) -> Any:
        await self.backend.delete_document(citizen, p["app_id"], int(p["doc_id"]))
        return None

    async def _load_application(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.get_application(citizen, p["app_id"])

    async def _submit(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.submit(citizen, p["app_id"], p["key"])

    async def _cancel(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.cancel(citizen, p["app_id"], p.get("reason"))

    async def _list_mine(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.my_applications(citizen)

    async def _track(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.track(p["code"], citizen)

    async def _load_payment(self, p: dict[str, Any], citizen: str) -> Any:
        return await self.backend.get_payment(citizen, p["app_id"])

    async def _decode_qr(self, p: dict[str, Any], citizen: str) -> Any:
        data = await self.files.fetch(file_ref(p["file"]))
        return {"text": await asyncio.to_thread(decode_qr_text, data)}

    async def _forget_me(self, p: dict[str, Any], citizen: str) -> Any:
        """Delete my data: the portal deletes what was never submitted (drafts with
        their answers and files) and lists what it keeps; then this chat's records go
        (bot.store.erasure). The portal first: when it cannot be reached nothing is
        erased here and the citizen can ask again. The engine resets the state."""
        erased = await self.backend.erase_me(citizen)
        if self.erasure is not None:
            await self.erasure.erase_chat(citizen)
        return {
            "deleted_applications": erased.deleted_applications,
            "deleted_documents": erased.deleted_documents,
            "kept": [
                {
                    "tracking_code": k.tracking_code,
                    "procedure_name": dict(k.procedure_name),
                    "keep_until": k.keep_until.isoformat() if k.keep_until else None,
                }
                for k in erased.kept
            ],
            "retention_years": erased.retention_years,
            "chat_erased": self.erasure is not None,
        }

    async def _follow(self, p: dict[str, Any], citizen: str) -> Any:
        if self.follows is None:  # e.g. the terminal: the notifier writes to Telegram only
            raise FollowUnavailable
        followed = await self.follows.subscribe(
            citizen, str(p["code"]), lang=str(p.get("lang") or "vi")
        )
        return {
            "tracking_code": followed.tracking_code,
            "procedure_name": followed.procedure_name,
            "already": followed.already,
        }

    async def _unfollow(self, p: dict[str, Any], citizen: str) -> Any:
        if self.follows is None:
            raise FollowUnavailable
        removed = await self.follows.unsubscribe(citizen, str(p["code"]))
        return {"tracking_code": str(p["code"]), "removed": removed}

    async def _request_human(self, p: dict[str, Any], citizen: str) -> Any:
        if self.handoffs is None:
            return {"queued": False}
        summary = {k: v for k, v in p.items() if k != "reason"}
        await self.handoffs.add_handoff(citizen, str(p.get("reason") or "user"), summary)
        # Relayed: a support team took the case and tells the citizen itself (its wait
        # notice is the one answer); otherwise the request is recorded for the office.
        return {"queued": True, "relayed": bool(getattr(self.handoffs, "relays", False))}


_SORRY = localized(
    N_("Sorry, something went wrong on our side. Your answers are kept. Please try again.")
)
_BUSY = localized(N_("The ward's system did not answer. Please try again later."))
_TOO_LARGE = localized(
    N_("This file is too large (over 20 MB). Please send a photo of the paper instead.")
)
_NO_SUPPORT = localized(N_("I could not reach the support team just now."))
_NO_FOLLOW = localized(N_("The news of applications can only be sent in Telegram."))
_FILE_GONE = localized(N_("I could not get this file. Please send it again."))


def portal_image_fetcher(backend: Backend) -> Callable[[str, str], Awaitable[bytes]]:
    """Fetches a portal image the engine names by path on behalf of the chat's citizen:
    ``/v1/applications/<id>/payment/qr.png``, ``.../payment/card.png?lang=vi`` (the
    payment card) or ``.../receipt.png?lang=vi`` (the receipt)."""

    async def fetch(citizen: str, path: str) -> bytes:
        address = urlsplit(path)
        lang = parse_qs(address.query).get("lang", ["vi"])[0]
        parts = address.path.strip("/").split("/")
        if len(parts) >= 4 and parts[:2] == ["v1", "applications"]:
            app_id, rest = parts[2], parts[3:]
            if rest == ["payment", "qr.png"]:
                return await backend.get_payment_qr(citizen, app_id)
            if rest == ["payment", "card.png"]:
                return await backend.get_payment_card(citizen, app_id, lang)
            if rest == ["receipt.png"]:
                return await backend.get_receipt(citizen, app_id, lang)
        raise ValueError(f"no fetcher for portal image {path!r}")

    return fetch
