"""The effect runner against the real portal (in-process over ASGI)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
import segno
import zxingcpp
from PIL import Image

from backend_client import PortalClient
from bot.effects import EffectRunner, decode_qr_text
from bot.files import MAX_FILE_BYTES, FileTooLargeError, LocalFiles
from dialogs import Effect, FileRef
from tests.support.clock import FrozenClock
from tests.support.forms import sample_answers
from tests.support.images import MINIMAL_PDF, photo

CITIZEN = "telegram:777"


class MemoryFiles:
    """A FileSource over a dict of ref -> bytes; records what was fetched."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self.blobs = blobs
        self.fetched: list[str] = []

    async def fetch(self, ref: FileRef) -> bytes:
        if ref.size is not None and ref.size > MAX_FILE_BYTES:
            raise FileTooLargeError(ref.size)
        self.fetched.append(ref.ref)
        return self.blobs[ref.ref]


class MemoryHandoffs:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict[str, Any]]] = []

    async def add_handoff(self, key: str, reason: str, summary: dict[str, Any]) -> int:
        self.rows.append((key, reason, summary))
        return len(self.rows)


def qr_png(text: str) -> bytes:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=4)
    return buf.getvalue()


async def draft(runner: EffectRunner) -> str:
    created = await runner.run(Effect("create_draft", {"procedure": "birth_registration"}), CITIZEN)
    assert created.ok, created.error
    return str(created.value["id"])


def photo_file(ref: str) -> dict[str, Any]:
    return {"ref": ref, "kind": "photo", "mime": None, "name": None, "size": 1000}


async def test_create_save_upload_submit_track(portal: PortalClient, clock: FrozenClock) -> None:
    proc = await portal.get_procedure("certified_copy")
    blobs = {f"f{i}": photo(text=f"P{i}") for i in range(3)} | {"pdf": MINIMAL_PDF}
    files = MemoryFiles(blobs)
    runner = EffectRunner(portal, files)

    created = await runner.run(
        Effect("create_draft", {"procedure": proc.slug, "lang": "en"}), CITIZEN
    )
    assert created.ok and created.effect == "create_draft"
    app_id = created.value["id"]
    assert created.value["status"] == "draft" and created.value["lang"] == "en"

    answers = sample_answers(proc, today=clock().date())
    saved = await runner.run(
        Effect("save_answers", {"app_id": app_id, "answers": answers}), CITIZEN
    )
    assert saved.ok, saved.error
    assert all(m["field"].startswith("documents.") for m in saved.value["missing"])

    uploaded_ids: list[int] = []
    for spec in proc.documents:
        if not spec.required:
            continue
        refs = ["pdf"] if spec.accepted == ["pdf"] else [f"f{i}" for i in range(spec.min_files)]
        result = await runner.run(
            Effect(
                "upload",
                {"app_id": app_id, "code": spec.code, "files": [photo_file(r) for r in refs]},
            ),
            CITIZEN,
        )
        assert result.ok, result.error
        assert [d["code"] for d in result.value] == [spec.code] * len(refs)
        uploaded_ids += [d["id"] for d in result.value]

    loaded = await runner.run(Effect("load_application", {"app_id": app_id}), CITIZEN)
    assert loaded.ok and loaded.value["missing"] == []
    assert sorted(d["id"] for d in loaded.value["documents"]) == sorted(uploaded_ids)

    submitted = await runner.run(Effect("submit", {"app_id": app_id, "key": "k1"}), CITIZEN)
    assert submitted.ok, submitted.error
    code = submitted.value["tracking_code"]
    assert code and submitted.value["status"] == "submitted"

    tracked = await runner.run(Effect("track", {"code": code.lower()}), "telegram:someone-else")
    assert tracked.ok and tracked.value["tracking_code"] == code

    mine = await runner.run(Effect("list_mine"), CITIZEN)
    assert mine.ok and [a["id"] for a in mine.value] == [app_id]

    payment = await runner.run(Effect("load_payment", {"app_id": app_id}), CITIZEN)
    assert payment.ok and payment.value["amount"] == submitted.value["fee_amount"]
    assert payment.value["payload"].startswith("000201")


async def test_field_errors_come_back_as_an_error_dict(portal: PortalClient) -> None:
    runner = EffectRunner(portal, MemoryFiles({}))
    created = await runner.run(Effect("create_draft", {"procedure": "birth_registration"}), CITIZEN)
    app_id = created.value["id"]
    result = await runner.run(
        Effect("save_answers", {"app_id": app_id, "answers": {"child_dob": "31/02/2020"}}),
        CITIZEN,
    )
    assert not result.ok and result.value is None
    err = result.error
    assert err["status"] == 422 and err["code"]
    assert set(err["message"]) == {"vi", "en"}
    [field] = [f for f in err["fields"] if f["field"] == "child_dob"]
    assert field["code"] and field["message"]["vi"]


async def test_not_found_and_unknown_procedure(portal: PortalClient) -> None:
    runner = EffectRunner(portal, MemoryFiles({}))
    missing = await runner.run(Effect("load_application", {"app_id": "nope"}), CITIZEN)
    assert not missing.ok and missing.error["status"] == 404
    tracked = await runner.run(Effect("track", {"code": "ZZ-0000-0000"}), CITIZEN)
    assert not tracked.ok and tracked.error["status"] in (404, 422)


async def test_remove_document_and_cancel(portal: PortalClient) -> None:
    runner = EffectRunner(portal, MemoryFiles({"a": photo()}))
    app_id = (
        await runner.run(Effect("create_draft", {"procedure": "birth_registration"}), CITIZEN)
    ).value["id"]
    proc = await portal.get_procedure("birth_registration")
    code = proc.documents[0].code
    up = await runner.run(
        Effect("upload", {"app_id": app_id, "code": code, "files": [photo_file("a")]}), CITIZEN
    )
    assert up.ok, up.error
    removed = await runner.run(
        Effect("remove_document", {"app_id": app_id, "doc_id": up.value[0]["id"]}), CITIZEN
    )
    assert removed.ok and removed.value is None
    assert (await portal.get_application(CITIZEN, app_id)).documents == []
    cancelled = await runner.run(Effect("cancel_application", {"app_id": app_id}), CITIZEN)
    assert cancelled.ok and cancelled.value["status"] == "cancelled"


async def test_too_large_file_is_refused_before_upload(portal: PortalClient) -> None:
    files = MemoryFiles({"big": b"x"})
    runner = EffectRunner(portal, files)
    app_id = (
        await runner.run(Effect("create_draft", {"procedure": "birth_registration"}), CITIZEN)
    ).value["id"]
    big = {"ref": "big", "kind": "document", "size": MAX_FILE_BYTES + 1}
    result = await runner.run(
        Effect("upload", {"app_id": app_id, "code": "x", "files": [big]}), CITIZEN
    )
    assert not result.ok and result.error["code"] == "too_large"
    assert result.error["message"]["vi"] and files.fetched == []


async def test_local_files_refuse_large_and_missing(tmp_path: Any) -> None:
    small = tmp_path / "a.jpg"
    small.write_bytes(b"12345")
    files = LocalFiles(limit=4)
    runner = EffectRunner(httpx_unused_backend(), files)
    result = await runner.run(
        Effect("decode_qr", {"file": {"ref": str(small), "kind": "photo"}}), CITIZEN
    )
    assert not result.ok and result.error["code"] == "too_large"
    gone = await runner.run(
        Effect("decode_qr", {"file": {"ref": str(tmp_path / "none.jpg"), "kind": "photo"}}),
        CITIZEN,
    )
    assert not gone.ok and gone.error["code"] == "file_unavailable"


def httpx_unused_backend() -> PortalClient:
    # Nothing is listening here: any call would fail; decode_qr makes none.
    return PortalClient("http://127.0.0.1:9", "t", retries=1, timeout=0.5)


async def test_decode_qr_reads_a_receipt_code(portal: PortalClient) -> None:
    link = "https://t.me/MotCuaBot?start=trk_HT-2603-00012"
    files = MemoryFiles({"qr": qr_png(link), "plain": photo()})
    runner = EffectRunner(portal, files)
    found = await runner.run(Effect("decode_qr", {"file": photo_file("qr")}), CITIZEN)
    assert found.ok and found.value == {"text": link}
    nothing = await runner.run(Effect("decode_qr", {"file": photo_file("plain")}), CITIZEN)
    assert nothing.ok and nothing.value == {"text": None}
    assert decode_qr_text(b"not an image") is None


async def test_unreachable_portal_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    backend = PortalClient(
        "http://portal", "t", transport=httpx.MockTransport(refuse), retries=2, backoff=0.001
    )
    runner = EffectRunner(backend, MemoryFiles({}))
    for effect in (Effect("track", {"code": "HT-1"}), Effect("create_draft", {"procedure": "x"})):
        result = await runner.run(effect, CITIZEN)
        assert not result.ok and result.error["code"] == "unavailable"
        assert result.error["message"]["en"]
    await backend.aclose()


async def test_server_error_is_unavailable() -> None:
    backend = PortalClient(
        "http://portal",
        "t",
        transport=httpx.MockTransport(lambda r: httpx.Response(503)),
        retries=1,
        backoff=0.001,
    )
    result = await EffectRunner(backend, MemoryFiles({})).run(Effect("list_mine"), CITIZEN)
    assert not result.ok and result.error["code"] == "unavailable"
    await backend.aclose()


async def test_request_human_is_queued(portal: PortalClient) -> None:
    handoffs = MemoryHandoffs()
    runner = EffectRunner(portal, MemoryFiles({}), handoffs)
    params = {"reason": "voice", "flow": "form", "field": "child_dob", "lang": "vi"}
    result = await runner.run(Effect("request_human", params), CITIZEN)
    assert result.ok and result.value == {"queued": True, "relayed": False}
    assert handoffs.rows == [
        (CITIZEN, "voice", {"flow": "form", "field": "child_dob", "lang": "vi"})
    ]
    without = await EffectRunner(portal, MemoryFiles({})).run(
        Effect("request_human", params), CITIZEN
    )
    assert without.ok and without.value == {"queued": False}


async def test_portal_images_are_fetched_for_the_citizen(
    portal: PortalClient, clock: FrozenClock
) -> None:
    from bot.effects import portal_image_fetcher

    proc = await portal.get_procedure("certified_copy")
    app = await portal.create_application(CITIZEN, proc.slug)
    await portal.set_answers(CITIZEN, app.id, sample_answers(proc, today=clock().date()))
    for spec in proc.documents:
        if spec.required:
            data = MINIMAL_PDF if spec.accepted == ["pdf"] else photo()
            for _ in range(spec.min_files):
                await portal.upload_document(CITIZEN, app.id, spec.code, data)
    await portal.submit(CITIZEN, app.id, "k")
    payment = await portal.get_payment(CITIZEN, app.id)
    fetch = portal_image_fetcher(portal)
    png = await fetch(CITIZEN, payment.qr_png_url)
    assert png.startswith(b"\x89PNG")
    # The payment card and the receipt the engine sends, named with their language.
    card = await fetch(CITIZEN, f"/v1/applications/{app.id}/payment/card.png?lang=en")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(card)))] == [
        payment.payload
    ]
    receipt = await fetch(CITIZEN, f"/v1/applications/{app.id}/receipt.png?lang=vi")
    submitted = await portal.get_application(CITIZEN, app.id)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(receipt)))] == [
        submitted.tracking_url
    ]
    with pytest.raises(ValueError):
        await fetch(CITIZEN, "/v1/something/else.png")
