"""Bot API methods of the fake server, one `m_<methodName>` per method.

Each takes the decoded parameters and uploaded files and returns the `result`, or
raises ApiError with the description Telegram gives.
"""

from __future__ import annotations

import json
import mimetypes
import re
from typing import Any

from kernel.jsoncopy import json_copy

from .telegram_errors import ApiError, bad_request, too_many_requests
from .telegram_limits import SendLimiter
from .telegram_params import Upload
from .telegram_records import StoredFile, StoredMessage, Topic
from .telegram_state import TOPIC_COLORS, TelegramState
from .telegram_text import (
    check_reply_markup,
    check_text,
    parse_text,
    validate_callback_answer,
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Content keys copied by copyMessage/forwardMessage.
_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "voice",
    "sticker",
    "location",
    "contact",
)


class BotApiMethods(TelegramState):
    def __init__(
        self,
        *,
        token: str | None,
        bot_username: str,
        bot_first_name: str,
        limiter: SendLimiter | None,
    ) -> None:
        super().__init__(token=token, bot_username=bot_username, bot_first_name=bot_first_name)
        self.limiter = limiter
        self.rate_limited = 0
        self.messages_sent = 0
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self.sent_log: list[StoredMessage] = []  # every message the bot sent, in order

    # -- shared steps of every send -------------------------------------------

    def _rate_limit(self, chat_id: int | str) -> None:
        if self.limiter is None:
            return
        retry_after = self.limiter.try_send(chat_id)
        if retry_after is not None:
            self.rate_limited += 1
            raise too_many_requests(retry_after)

    def _target(self, params: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
        """The chat and forum thread a send goes to, checked as Telegram does."""
        chat = self.resolve_chat(params.get("chat_id"))
        self.check_can_write(chat)
        thread_id = params.get("message_thread_id")
        if thread_id and chat.get("is_forum"):
            self.live_topic(chat, thread_id, "message thread not found")
        return chat, thread_id if thread_id and chat.get("is_forum") else None

    def _reply_to(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        stored = self.messages.get((chat["id"], message_id))
        if stored is None or stored.deleted:
            allow = reply.get("allow_sending_without_reply") or params.get(
                "allow_sending_without_reply"
            )
            if allow:
                return None
            raise bad_request("message to be replied not found")
        replied = json_copy(stored.message)
        replied.pop("reply_to_message", None)
        return replied

    def _send(
        self,
        method: str,
        params: dict[str, Any],
        content: dict[str, Any],
        *,
        file: StoredFile | None = None,
        raw_text: str | None = None,
    ) -> dict[str, Any]:
        chat, thread_id = self._target(params)
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        reply_to = self._reply_to(chat, params)
        self._rate_limit(chat["id"])
        content = dict(content)
        if thread_id:
            content["message_thread_id"] = thread_id
            content["is_topic_message"] = True
        if reply_to:
            content["reply_to_message"] = reply_to
        # Only inline keyboards belong to the message; reply keyboards live on the client.
        if markup and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        stored = self.store_message(
            chat,
            self.bot_user,
            content,
            method=method,
            reply_markup=markup,
            raw_text=raw_text,
            parse_mode=params.get("parse_mode"),
            file=file,
        )
        self.messages_sent += 1
        self.sent_log.append(stored)
        return json_copy(stored.message)

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("caption")
        if not raw:
            return {}
        parse_mode, given = params.get("parse_mode"), params.get("caption_entities")
        caption, entities = parse_text(raw, parse_mode, given)
        check_text(caption, caption=True)
        return {"caption": caption, **({"caption_entities": entities} if entities else {})}

    def _input_file(
        self, params: dict[str, Any], uploads: dict[str, Upload], field: str, limit: int
    ) -> tuple[StoredFile | None, Upload | None]:
        """A known file (by file_id or URL) or the uploaded bytes, not yet stored."""
        value = params.get(field)
        upload: Upload | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        elif field in uploads:
            upload = uploads[field]
        elif isinstance(value, str) and value in self.files.by_id:
            return self.files.by_id[value], None
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            stored = self.files.add(field, None, extension="bin", url=value)
            return stored, None
        elif value:
            raise bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise bad_request(f"there is no {field} in the request")
        if len(upload.data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        if not upload.data:
            raise bad_request("file must be non-empty")
        return None, upload

    # -- identity and updates ---------------------------------------------------

    def m_getMe(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def m_setMyCommands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an Array of at most 100 BotCommand")
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    def m_getMyCommands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    def m_deleteMyCommands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    def m_setMyDescription(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return True

    def m_setMyShortDescription(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return True

    def m_setChatMenuButton(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return True

    def m_setWebhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        url = params.get("url") or ""
        if not url:
            return self.m_deleteWebhook(params, uploads)
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.queue.clear()
        if params.get("allowed_updates") is not None:
            self.allowed_updates = params["allowed_updates"] or None
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections", 40),
            "last_error_date": None,
            "last_error_message": None,
        }
        self.updates_signal.notify()
        return True

    def m_deleteWebhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.queue.clear()
        self.updates_signal.notify()
        return True

    def m_getWebhookInfo(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        pending = len(self.queue)
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["last_error_date"]:
                info["last_error_date"] = self.webhook["last_error_date"]
                info["last_error_message"] = self.webhook["last_error_message"]
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        return info

    def confirm_updates(self, offset: int | None) -> None:
        """Telegram forgets every update below `offset`; a negative offset keeps the last ones.

        A redelivered update not yet handed out survives, so it does arrive twice."""
        if not offset:
            return
        if offset < 0:
            del self.queue[:offset]
            return
        self.queue[:] = [
            entry
            for entry in self.queue
            if entry.update["update_id"] >= offset or (entry.redelivery and not entry.delivered)
        ]

    def take_updates(self, limit: int) -> list[dict[str, Any]]:
        """Unconfirmed updates come back on every getUpdates until an offset confirms them."""
        wanted = self.allowed_updates
        if wanted:
            self.queue[:] = [e for e in self.queue if e.delivered or e.kind in wanted]
        # In update_id order, so the next offset confirms the whole batch.
        batch = sorted(self.queue, key=lambda e: e.update["update_id"])[:limit]
        for entry in batch:
            entry.delivered = True
        return [json_copy(entry.update) for entry in batch]

    # -- messages ---------------------------------------------------------------

    def m_sendMessage(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        raw = params.get("text") or ""
        text, entities = parse_text(raw, params.get("parse_mode"), params.get("entities"))
        check_text(text)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send("sendMessage", params, content, raw_text=raw)

    @staticmethod
    def _check_kind(known: StoredFile, field: str) -> None:
        if known.url is None and known.kind != field:
            kinds = (known.kind.capitalize(), field.capitalize())
            raise bad_request("can't use file of type {} as {}".format(*kinds))

    def _photo_content(
        self, params: dict[str, Any], uploads: dict[str, Upload]
    ) -> tuple[dict[str, Any], StoredFile]:
        caption = self._caption(params)
        known, upload = self._input_file(params, uploads, "photo", MAX_PHOTO_BYTES)
        if upload is not None:
            try:
                original, sizes = self.files.photo(upload.data)
            except ValueError as exc:
                raise bad_request("IMAGE_PROCESS_FAILED") from exc
            if original.width + original.height > 10_000:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
        else:
            assert known is not None
            self._check_kind(known, "photo")
            original, sizes = known, [self.files.photo_size(known)]
        return {"photo": sizes, **caption}, original

    def _file_content(
        self, field: str, params: dict[str, Any], uploads: dict[str, Upload]
    ) -> tuple[dict[str, Any], StoredFile]:
        caption = self._caption(params)
        known, upload = self._input_file(params, uploads, field, MAX_UPLOAD_BYTES)
        if upload is not None:
            default_mime = "audio/ogg" if field == "voice" else "application/octet-stream"
            mime = mimetypes.guess_type(upload.filename)[0] or default_mime
            extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
            known = self.files.add(
                field, upload.data, extension=extension, mime_type=mime, file_name=upload.filename
            )
        assert known is not None
        self._check_kind(known, field)
        body: dict[str, Any] = {
            "file_id": known.file_id,
            "file_unique_id": known.file_unique_id,
            "file_size": known.file_size,
        }
        if known.mime_type:
            body["mime_type"] = known.mime_type
        if field == "document" and known.file_name:
            body["file_name"] = known.file_name
        if field == "voice":
            body["duration"] = params.get("duration") or 1
        return {field: body, **caption}, known

    def m_sendPhoto(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        content, file = self._photo_content(params, uploads)
        return self._send("sendPhoto", params, content, file=file)

    def m_sendDocument(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        content, file = self._file_content("document", params, uploads)
        return self._send("sendDocument", params, content, file=file)

    def m_sendVoice(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        content, file = self._file_content("voice", params, uploads)
        return self._send("sendVoice", params, content, file=file)

    def m_sendMediaGroup(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        """An album of 2-10 photos or documents; every item is checked before any is sent."""
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("media must be an Array of 2-10 InputMedia")
        base = {k: v for k, v in params.items() if k not in ("media", "reply_markup")}
        prepared: list[tuple[dict[str, Any], StoredFile]] = []
        for item in media:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in ("photo", "document"):
                raise bad_request("unsupported media type in the group")
            item_params = {**base, kind: item.get("media")}
            for key in ("caption", "parse_mode", "caption_entities"):
                item_params.pop(key, None)
                if key in item:
                    item_params[key] = item[key]
            if kind == "photo":
                prepared.append(self._photo_content(item_params, uploads))
            else:
                prepared.append(self._file_content("document", item_params, uploads))
        group_id = str(self.next_media_group())
        return [
            self._send("sendMediaGroup", base, {**content, "media_group_id": group_id}, file=file)
            for content, file in prepared
        ]

    def m_sendLocation(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        location = {"latitude": params.get("latitude"), "longitude": params.get("longitude")}
        if location["latitude"] is None or location["longitude"] is None:
            raise bad_request("latitude and longitude are required")
        return self._send("sendLocation", params, {"location": location})

    def m_sendChatAction(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._target(params)
        return True

    def _source(self, params: dict[str, Any], verb: str) -> StoredMessage:
        source_chat = self.resolve_chat(params.get("from_chat_id"))
        return self.find_message(
            source_chat["id"], params.get("message_id"), f"message to {verb} not found"
        )

    def m_copyMessage(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        source = self._source(params, "copy")
        content = {k: json_copy(v) for k, v in source.message.items() if k in _CONTENT_KEYS}
        if "caption" in params:
            content.pop("caption_entities", None)
            content.pop("caption", None)
            content.update(self._caption(params))
        message = self._send("copyMessage", params, content, file=source.file)
        return {"message_id": message["message_id"]}

    def m_forwardMessage(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        source = self._source(params, "forward")
        content = {k: json_copy(v) for k, v in source.message.items() if k in _CONTENT_KEYS}
        content["forward_origin"] = {
            "type": "user",
            "sender_user": json_copy(source.message["from"]),
            "date": source.message["date"],
        }
        params = {k: v for k, v in params.items() if k != "reply_markup"}
        return self._send("forwardMessage", params, content, file=source.file)

    def _own_message(self, params: dict[str, Any], reason: str) -> StoredMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self.resolve_chat(params.get("chat_id"))
        self.check_can_write(chat)
        stored = self.find_message(chat["id"], params.get("message_id"), reason)
        if stored.sender != "bot":
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(
        self, stored: StoredMessage, changes: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        check_reply_markup(markup)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        message = stored.message
        same = all(message.get(k) == v for k, v in changes.items())
        if same and message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        # An edit without reply_markup removes the inline keyboard, as on Telegram.
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        stored.reply_markup = markup
        message["edit_date"] = max(message["date"], message.get("edit_date", 0)) + 1
        stored.edits += 1
        return json_copy(message)

    def m_editMessageText(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self._own_message(params, "message to edit not found")
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        raw = params.get("text") or ""
        text, entities = parse_text(raw, params.get("parse_mode"), params.get("entities"))
        check_text(text)
        stored.raw_text = raw
        stored.parse_mode = params.get("parse_mode")
        changes = {"text": text, "entities": entities or None}
        return self._apply_edit(stored, changes, params.get("reply_markup"))

    def m_editMessageCaption(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self._own_message(params, "message to edit not found")
        if "text" in stored.message:
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
        }
        return self._apply_edit(stored, changes, params.get("reply_markup"))

    def m_editMessageReplyMarkup(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self._own_message(params, "message to edit not found")
        return self._apply_edit(stored, {}, params.get("reply_markup"))

    def m_deleteMessage(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat = self.resolve_chat(params.get("chat_id"))
        self.check_can_write(chat)
        stored = self.find_message(
            chat["id"], params.get("message_id"), "message to delete not found"
        )
        stored.deleted = True
        return True

    def m_answerCallbackQuery(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        validate_callback_answer(params.get("text"))
        del self.open_callbacks[query_id]
        self.callback_answers.append(dict(params))
        return True

    # -- files --------------------------------------------------------------------

    def m_getFile(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self.files.by_id.get(str(params.get("file_id", "")))
        if stored is None or stored.data is None:
            raise bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.as_file()

    # -- forum topics -----------------------------------------------------------------

    def _forum(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.resolve_chat(params.get("chat_id"))
        self.check_can_write(chat)
        if not chat.get("is_forum"):
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, params: dict[str, Any]) -> Topic:
        chat = self._forum(params)
        return self.live_topic(chat, params.get("message_thread_id") or 0, "TOPIC_ID_INVALID")

    def m_createForumTopic(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat = self._forum(params)
        name = params.get("name") or ""
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_NAME_INVALID" if name else "TOPIC_NAME_EMPTY")
        color = params.get("icon_color", TOPIC_COLORS[0])
        if color not in TOPIC_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")
        # The topic's id is the id of its "topic created" service message.
        service = self.store_message(
            chat, self.bot_user, {"forum_topic_created": {"name": name, "icon_color": color}}
        )
        thread_id = service.message["message_id"]
        service.message.update({"message_thread_id": thread_id, "is_topic_message": True})
        topic = self.add_topic(chat["id"], thread_id, name, color)
        topic.icon_custom_emoji_id = params.get("icon_custom_emoji_id")
        return topic.as_forum_topic()

    def m_editForumTopic(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        topic = self._topic(params)
        name = params.get("name")
        emoji = params.get("icon_custom_emoji_id")
        if name is not None and not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_NAME_INVALID")
        if (name is None or name == topic.name) and (emoji is None):
            raise bad_request("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = name
        if emoji is not None:
            topic.icon_custom_emoji_id = emoji or None
        return True

    def m_closeForumTopic(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        topic = self._topic(params)
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    def m_reopenForumTopic(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        topic = self._topic(params)
        if not topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    def m_deleteForumTopic(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        topic = self._topic(params)
        topic.deleted = True
        for stored in self.chat_log.get(topic.chat_id, []):
            if stored.message.get("message_thread_id") == topic.message_thread_id:
                stored.deleted = True
        return True
