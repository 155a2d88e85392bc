"""The bot's aiogram session: Bot API methods without files as a JSON body, and the
parsed-response classes kept alive.

aiogram builds a multipart form for every method, files or not; Telegram takes the
same parameters as a JSON body, which costs a fraction of the form (py-spy on
benchmarks/dialogs.py: building the form and aiohttp's multipart writer were most of
the session's CPU per message). A method with a file to upload still goes as a form.

aiogram parses every Bot API answer as `Response[method.__returning__]`. pydantic
keeps parametrized generics only in a weak-value cache, so once the garbage collector
has dropped one, the next answer rebuilds the class: ~20 ms of CPU each, several
times a minute under load (measured in benchmarks/dialogs.py). Holding a strong
reference to each class the first time it is used costs one dict lookup per answer.
A successful answer is parsed from its text by pydantic directly (no ``json.loads``
first); anything else goes through aiogram's checks, which raise its errors."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods.base import Response, TelegramMethod, TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic import ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

# Keyed by the returning type; shared by every session of the process.
_PINNED: dict[Any, type[Any]] = {}
_JSON = {"Content-Type": "application/json"}
# Keyboards as sent, by the id of the markup object (kept with it, so the id is not
# reused while here): the sender reuses one object per question, never changing it.
_MARKUPS: dict[int, tuple[Any, Any]] = {}
MARKUPS_KEPT = 512


def pinned_response(returning: Any) -> type[Any]:
    cls = _PINNED.get(returning)
    if cls is None:
        cls = _PINNED[returning] = Response[returning]
    return cls


class PinnedAiohttpSession(AiohttpSession):
    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The method's parameters as a JSON body, or None when it uploads a file.
        The same parameters as aiogram's form: values prepared alike, and those the
        form leaves out (None, empty text) left out."""
        files: dict[str, Any] = {}
        body: dict[str, Any] = {}
        markup = getattr(method, "reply_markup", None)
        known = _MARKUPS.get(id(markup)) if markup is not None else None
        if known is not None and known[0] is markup:
            dumped = method.model_dump(warnings=False, exclude={"reply_markup"})
            body["reply_markup"] = known[1]
        else:
            dumped = method.model_dump(warnings=False)
        for key, value in dumped.items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                continue
            body[key] = prepared
        if files:
            return None
        if known is None and markup is not None and "reply_markup" in body:
            # The sender builds a question's keyboard once and sends that same object
            # to every chat (bot/telegram/sender.py): its JSON form is kept with it.
            if len(_MARKUPS) >= MARKUPS_KEPT:
                del _MARKUPS[next(iter(_MARKUPS))]  # the oldest
            _MARKUPS[id(markup)] = (markup, body["reply_markup"])
        return self.json_dumps(body).encode()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body,
                headers=_JSON,
                # What aiohttp makes of aiogram's number of seconds.
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        cls = pinned_response(method.__returning__)  # the base class then hits pydantic's cache
        if HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            try:
                response = cls.model_validate_json(content, context={"bot": bot})
            except ValidationError:
                pass  # aiogram's own parse raises its error for it
            else:
                if response.ok:
                    return cast(Response[TelegramType], response)
        return super().check_response(bot, method, status_code, content)
