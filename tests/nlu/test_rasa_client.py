"""RasaNLU against a small local HTTP server that speaks /model/parse."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nlu import NLU, RasaNLU
from nlu.rasa_client import RasaNLUError


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/model/parse":
            self.send_error(404)
            return
        if body["text"] == "boom":
            self.send_error(500)
            return
        answer = {
            "text": body["text"],
            "intent": {"name": "greet", "confidence": 0.9},
            "intent_ranking": [{"name": "greet", "confidence": 0.9}],
            "entities": [],
        }
        if body["text"] == "minimal":
            answer = {"text": body["text"], "intent": {"name": "deny", "confidence": 0.5}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return


@pytest.fixture
def rasa_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_parse_goes_to_model_parse(rasa_url: str) -> None:
    client = RasaNLU(rasa_url, timeout=5)
    assert isinstance(client, NLU)
    result = client.parse("chào o")
    assert result["text"] == "chào o"
    assert result["intent"] == {"name": "greet", "confidence": 0.9}
    client.close()


def test_missing_fields_are_filled_in(rasa_url: str) -> None:
    result = RasaNLU(rasa_url).parse("minimal")
    assert result["entities"] == []
    assert result["intent_ranking"] == [result["intent"]]


def test_server_error_raises(rasa_url: str) -> None:
    with pytest.raises(RasaNLUError):
        RasaNLU(rasa_url).parse("boom")


def test_unreachable_server_raises() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    server.server_close()  # nothing listens on this port any more
    with pytest.raises(RasaNLUError):
        RasaNLU(f"http://127.0.0.1:{port}", timeout=1).parse("xin chào")


def test_default_nlu_can_be_a_rasa_server(rasa_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlu import RASA_URL_ENV, get_default_nlu

    get_default_nlu.cache_clear()
    monkeypatch.setenv(RASA_URL_ENV, rasa_url)
    try:
        chosen = get_default_nlu()
        assert isinstance(chosen, RasaNLU)
        assert chosen.parse("xin chào")["intent"]["name"] == "greet"
    finally:
        get_default_nlu.cache_clear()
