"""`RasaNLU`: the same interface backed by a Rasa server's `/model/parse` endpoint."""

from __future__ import annotations

from typing import Any

import httpx


class RasaNLUError(RuntimeError):
    """The Rasa server could not be reached or answered with something unusable."""


class RasaNLU:
    def __init__(self, url: str, timeout: float = 2.0, client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._client = client or httpx.Client(timeout=timeout)

    def parse(self, text: str, lang_hint: str | None = None) -> dict[str, Any]:
        try:
            response = self._client.post(f"{self.url}/model/parse", json={"text": text})
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaNLUError(f"Rasa parse failed: {exc}") from exc
        if not isinstance(data, dict) or "intent" not in data:
            raise RasaNLUError("Rasa parse answer has no intent")
        data.setdefault("entities", [])
        data.setdefault("intent_ranking", [data["intent"]])
        return data

    def close(self) -> None:
        self._client.close()
