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
first); anything else goes through aiogram's checks, which raise its errors.

The sender's own messages go as `SendText` and `SendPicture`: the parameters it uses
of sendMessage and sendPhoto, their body written from the fields without a dump of
every parameter aiogram knows, and Telegram's answer read only for what the sender
uses (`Sent`) instead of being validated into a whole `Message` with its chat, user
and keyboard (py-spy on benchmarks/dialogs.py: the parse of the answer was the
largest part of the session's own CPU per message). aiogram's `Default` parameters
(parse mode, protect content...) are left out of them: our `Bot` has none set
(bot/telegram/app.py: create_bot)."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods.base import Response, TelegramMethod, TelegramType
from aiogram.types import (
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiohttp import ClientError, ClientTimeout
from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

# Keyed by the returning type; shared by every session of the process.
_PINNED: dict[Any, type[Any]] = {}
_JSON = {"Content-Type": "application/json"}
# Keyboards as sent, by the id of the markup object (kept with it, so the id is not
# reused while here): the sender reuses one object per question, never changing it.
_MARKUPS: dict[int, tuple[Any, Any]] = {}
MARKUPS_KEPT = 512
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class SentPhotoSize(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    file_id: str


class Sent(BaseModel):
    """What the sender reads of a message it sent; the rest of the answer is skipped."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    message_id: int
    photo: list[SentPhotoSize] | None = None  # a photo's sizes, the largest last


class SendText(TelegramMethod[Sent]):
    """sendMessage with the parameters the sender uses."""

    __returning__ = Sent
    __api_method__ = "sendMessage"

    chat_id: int
    text: str
    reply_markup: Markup | None = None


class SendPicture(TelegramMethod[Sent]):
    """sendPhoto with the parameters the sender uses: a file id, or a file to upload."""

    __returning__ = Sent
    __api_method__ = "sendPhoto"

    chat_id: int
    photo: str | InputFile
    caption: str | None = None
    reply_markup: Markup | None = None


class AnswerPress(TelegramMethod[bool]):
    """answerCallbackQuery with no text: the button stops spinning."""

    __returning__ = bool
    __api_method__ = "answerCallbackQuery"

    callback_query_id: str


_LEAN = (SendText, SendPicture, AnswerPress)


def pinned_response(returning: Any) -> type[Any]:
    cls = _PINNED.get(returning)
    if cls is None:
        cls = _PINNED[returning] = Response[returning]
    return cls


class PinnedAiohttpSession(AiohttpSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built once rather than for every call: the method URLs and aiohttp's timeouts.
        self._urls: dict[tuple[str, str], str] = {}
        self._timeouts: dict[float, ClientTimeout] = {}

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The method's parameters as a JSON body, or None when it uploads a file.
        The same parameters as aiogram's form: values prepared alike, and those the
        form leaves out (None, empty text) left out."""
        if type(method) in _LEAN:  # exactly: no ABC isinstance walk per call
            return self._lean_body(bot, cast(SendText | SendPicture | AnswerPress, method))
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

    def _lean_body(self, bot: Bot, method: SendText | SendPicture | AnswerPress) -> bytes | None:
        """The body of our own methods from their fields (all str, int, a keyboard or a
        file to upload), left out as aiogram's form leaves them: None and empty text."""
        body: dict[str, Any] = {}
        for key, value in method.__dict__.items():
            if value is None or value == "":
                continue
            if key == "photo" and isinstance(value, InputFile):
                return None  # an upload: aiogram's form
            if key == "reply_markup":
                value = self._markup_json(bot, value)
            body[key] = value
        return self.json_dumps(body).encode()

    def _markup_json(self, bot: Bot, markup: Markup) -> Any:
        known = _MARKUPS.get(id(markup))
        if known is not None and known[0] is markup:
            return known[1]
        prepared = self.prepare_value(
            markup.model_dump(warnings=False), bot=bot, files={}, _dumps_json=False
        )
        if len(_MARKUPS) >= MARKUPS_KEPT:
            del _MARKUPS[next(iter(_MARKUPS))]  # the oldest
        _MARKUPS[id(markup)] = (markup, prepared)
        return prepared

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
        url = self._urls.get((bot.token, method.__api_method__))
        if url is None:
            url = self.api.api_url(token=bot.token, method=method.__api_method__)
            self._urls[(bot.token, method.__api_method__)] = url
        seconds = self.timeout if timeout is None else timeout
        limit = self._timeouts.get(seconds)
        if limit is None:
            # What aiohttp makes of aiogram's number of seconds.
            limit = self._timeouts[seconds] = ClientTimeout(total=seconds)
        try:
            async with session.post(url, data=body, headers=_JSON, timeout=limit) as resp:
                # Bytes: pydantic reads UTF-8 JSON itself (no charset sniffing first).
                raw_result = await resp.read()
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
        content: str | bytes,
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
        if isinstance(content, bytes):
            content = content.decode(errors="replace")
        return super().check_response(bot, method, status_code, content)
