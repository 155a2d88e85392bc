"""read_params: a multipart form parsed by its own plain-shape reader (what aiogram
sends) or by aiohttp's gives what aiohttp's request.post() gives for the same body."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.telegram_params import Upload, _plain_form, coerce_params, read_params

BOUNDARY = "89085f584e5d40a0b91ba9301305f50a"


async def _reference(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """What read_params did before its own reader: aiohttp's request.post()."""
    raw: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            uploads[key] = Upload(key, value.filename, value.content_type, value.file.read())
        else:
            raw[key] = value
    return raw, uploads


def _shown(params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
    return {"params": {k: repr(v) for k, v in params.items()}, "uploads": repr(uploads)}


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def mine(request: web.Request) -> web.Response:
        params, uploads = await read_params(request)
        return web.json_response(_shown(params, uploads))

    async def reference(request: web.Request) -> web.Response:
        raw, uploads = await _reference(request)
        return web.json_response(_shown(coerce_params(raw), uploads))

    app = web.Application()
    app.router.add_post("/mine", mine)
    app.router.add_post("/reference", reference)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _part(headers: list[str], data: bytes) -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + data


def _body(*parts: bytes) -> bytes:
    delimiter = f"--{BOUNDARY}".encode()
    return b"".join(delimiter + b"\r\n" + p + b"\r\n" for p in parts) + delimiter + b"--\r\n"


TEXT = "Content-Type: text/plain; charset=utf-8"
AIOGRAM_LIKE = _body(
    _part([TEXT, 'Content-Disposition: form-data; name="chat_id"'], b"1000001"),
    _part([TEXT, 'Content-Disposition: form-data; name="caption"'], "Mã <b>hồ sơ</b>".encode()),
    _part(
        [
            "Content-Type: application/octet-stream",
            'Content-Disposition: form-data; name="photo"; filename="qr.png"',
        ],
        b"\x89PNG\r\n--not the boundary\r\n\x00",
    ),
)
UNUSUAL = [
    # a file name aiohttp writes as filename*= (UTF-8): left to aiohttp's reader
    _body(
        _part(['Content-Disposition: form-data; name="chat_id"'], b"7"),
        _part(
            ["Content-Disposition: form-data; name=\"document\"; filename*=utf-8''h%E1%BB%93.pdf"],
            b"%PDF",
        ),
    ),
    # a part encoded in base64, and a text part that is not text/plain UTF-8
    _body(
        _part(
            [
                'Content-Disposition: form-data; name="photo"; filename="a.jpg"',
                "Content-Transfer-Encoding: base64",
            ],
            base64.b64encode(b"\xff\xd8 jpeg"),
        ),
        _part(
            ["Content-Type: application/json", 'Content-Disposition: form-data; name="media"'],
            b'[{"type": "photo"}]',
        ),
        _part(
            [
                "Content-Type: text/plain; charset=latin-1",
                'Content-Disposition: form-data; name="x"',
            ],
            "é".encode("latin-1"),
        ),
    ),
]


def test_the_plain_reader_takes_aiograms_shape_and_leaves_the_rest() -> None:
    assert _plain_form(AIOGRAM_LIKE, BOUNDARY) is not None
    assert all(_plain_form(body, BOUNDARY) is None for body in UNUSUAL)


@pytest.mark.parametrize("body", [AIOGRAM_LIKE, *UNUSUAL])
async def test_a_form_reads_as_aiohttp_reads_it(server: str, body: bytes) -> None:
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    async with aiohttp.ClientSession() as session:
        seen = []
        for path in ("/mine", "/reference"):
            async with session.post(server + path, data=body, headers=headers) as response:
                assert response.status == 200
                seen.append(await response.json())
    mine, reference = seen
    assert mine == reference
