"""The world the fake Bot API holds (chats, messages, files, topics, pending updates)
and the test "user" side that changes it.

Private chats (positive ids) spring into existence when first used, as if the user
had pressed Start; groups (negative ids) exist once a user wrote there or the test
called `create_group`.
"""

from __future__ import annotations

import mimetypes
import time
from itertools import count
from typing import Any

from kernel.jsoncopy import json_copy

from .telegram_errors import ApiError, bad_request
from .telegram_records import (
    FileStore,
    InjectedUpdate,
    QueuedUpdate,
    Signal,
    StoredMessage,
    Topic,
)

DEFAULT_GROUP_USER_ID = 5550001
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
_OGG_VOICE = b"OggS\x00\x02" + b"\x00" * 64


def _bot_id_from_token(token: str | None) -> int:
    prefix = (token or "").split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 123456


class TelegramState:
    def __init__(self, *, token: str | None, bot_username: str, bot_first_name: str) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": _bot_id_from_token(token),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.files = FileStore()
        self.chats: dict[int | str, dict[str, Any]] = {}
        self.topics_by_chat: dict[int | str, dict[int, Topic]] = {}
        self.messages: dict[tuple[int | str, int], StoredMessage] = {}
        self.chat_log: dict[int | str, list[StoredMessage]] = {}
        self.injected: list[InjectedUpdate] = []
        self.queue: list[QueuedUpdate] = []
        self.blocked: set[int | str] = set()
        self.kicked: set[int | str] = set()
        self.open_callbacks: dict[str, dict[str, Any]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.updates_signal = Signal()
        self.calls_signal = Signal()
        self._message_ids: dict[int | str, count[int]] = {}
        self._update_ids = count(100_000_001)
        self._callback_ids = count(4_000_000_000_000_000)
        self._media_groups = count(13_000_000_000_000_001)

    # -- chats --------------------------------------------------------------

    def add_private_chat(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        chat = self.chats.setdefault(
            user_id, {"id": user_id, "type": "private", "first_name": f"User{user_id}"}
        )
        for key, value in (("first_name", first_name), ("last_name", last_name)):
            if value:
                chat[key] = value
        if username:
            chat["username"] = username
        return chat

    def create_group(
        self,
        chat_id: int,
        title: str = "Test group",
        *,
        is_forum: bool = False,
        chat_type: str = "supergroup",
    ) -> dict[str, Any]:
        chat = self.chats.setdefault(chat_id, {"id": chat_id})
        chat.update({"type": chat_type, "title": title})
        if is_forum:
            chat["is_forum"] = True
        return chat

    def resolve_chat(self, chat_id: Any) -> dict[str, Any]:
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for known in self.chats.values():
                if known.get("username") == chat_id[1:]:
                    return known
            raise bad_request("chat not found")
        chat = self.chats.get(chat_id)
        if chat is not None:
            return chat
        if isinstance(chat_id, int) and chat_id > 0:
            return self.add_private_chat(chat_id)
        raise bad_request("chat not found")

    def check_can_write(self, chat: dict[str, Any]) -> None:
        if chat["id"] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat["id"] in self.kicked:
            kind = "supergroup chat" if chat["type"] == "supergroup" else "group chat"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")

    def block_user(self, chat_id: int, *, notify: bool = False) -> InjectedUpdate | None:
        """From now on every call to this chat gets 403 "bot was blocked by the user"."""
        self.blocked.add(chat_id)
        if notify:
            return self._inject(
                {"my_chat_member": self._member_change(chat_id, "member", "kicked")}
            )
        return None

    def unblock_user(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def kick_bot(self, chat_id: int) -> None:
        """The bot was removed from a group: calls there get 403."""
        self.kicked.add(chat_id)

    def _member_change(self, chat_id: int, old: str, new: str) -> dict[str, Any]:
        chat = self.resolve_chat(chat_id)
        user = {"id": chat_id, "is_bot": False, "first_name": chat.get("first_name", "User")}
        return {
            "chat": json_copy(chat),
            "from": user,
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": json_copy(self.bot_user)},
            "new_chat_member": {
                "status": new,
                "user": json_copy(self.bot_user),
                **({"until_date": 0} if new == "kicked" else {}),
            },
        }

    # -- topics -------------------------------------------------------------

    def add_topic(
        self, chat_id: int | str, thread_id: int, name: str, icon_color: int = TOPIC_COLORS[0]
    ) -> Topic:
        topic = Topic(chat_id, thread_id, name, icon_color)
        self.topics_by_chat.setdefault(chat_id, {})[thread_id] = topic
        return topic

    def topics(self, chat_id: int) -> list[Topic]:
        return list(self.topics_by_chat.get(chat_id, {}).values())

    def user_deletes_topic(self, chat_id: int, message_thread_id: int) -> None:
        """Someone deleted the topic by hand: sends to it fail with "thread not found"."""
        self.topics_by_chat[chat_id][message_thread_id].deleted = True

    def live_topic(self, chat: dict[str, Any], thread_id: int, reason: str) -> Topic:
        topic = self.topics_by_chat.get(chat["id"], {}).get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request(reason)
        return topic

    # -- messages -----------------------------------------------------------

    def next_media_group(self) -> int:
        return next(self._media_groups)

    def next_message_id(self, chat_id: int | str) -> int:
        return next(self._message_ids.setdefault(chat_id, count(1)))

    def store_message(
        self, chat: dict[str, Any], sender: dict[str, Any], content: dict[str, Any], **extra: Any
    ) -> StoredMessage:
        message: dict[str, Any] = {
            "message_id": self.next_message_id(chat["id"]),
            "from": json_copy(sender),
            "chat": json_copy(chat),
            "date": int(time.time()),
        }
        message.update(content)
        stored = StoredMessage(
            chat_id=chat["id"],
            message=message,
            sender="bot" if sender.get("is_bot") else "user",
            time=time.monotonic(),
            **extra,
        )
        self.messages[(chat["id"], message["message_id"])] = stored
        self.chat_log.setdefault(chat["id"], []).append(stored)
        return stored

    def find_message(self, chat_id: Any, message_id: Any, reason: str) -> StoredMessage:
        stored = self.messages.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if stored is None or stored.deleted:
            raise bad_request(reason)
        return stored

    # -- the user side --------------------------------------------------------

    def _inject(self, body: dict[str, Any]) -> InjectedUpdate:
        update = {"update_id": next(self._update_ids), **body}
        return self._enqueue(update)

    def _enqueue(self, update: dict[str, Any], *, redelivery: bool = False) -> InjectedUpdate:
        injected = InjectedUpdate(update=update, time=time.monotonic())
        if not redelivery:
            self.injected.append(injected)
        self.queue.append(QueuedUpdate(update=update, redelivery=redelivery))
        self.updates_signal.notify()
        return injected

    def inject_raw_update(self, update: dict[str, Any]) -> InjectedUpdate:
        """Queue any update as given; an update_id is assigned when missing."""
        update = json_copy(update)
        if "update_id" in update:
            self._update_ids = count(max(next(self._update_ids), update["update_id"] + 1))
            return self._enqueue(update)
        return self._inject(update)

    def redeliver(self, update_id: int) -> InjectedUpdate:
        """Deliver an already injected update again with the same update_id, as Telegram
        does when it did not see the previous delivery confirmed."""
        for injected in self.injected:
            if injected.update_id == update_id:
                return self._enqueue(json_copy(injected.update), redelivery=True)
        raise KeyError(f"no injected update {update_id}")

    def _sender(
        self, chat_id: int, user: dict[str, Any] | None, language_code: str | None
    ) -> dict[str, Any]:
        default_id = chat_id if chat_id > 0 else DEFAULT_GROUP_USER_ID
        sender: dict[str, Any] = {"id": default_id, "is_bot": False, "first_name": "Lan"}
        if chat_id > 0 and chat_id in self.chats:
            sender["first_name"] = self.chats[chat_id].get("first_name", "Lan")
        if language_code:
            sender["language_code"] = language_code
        sender.update(user or {})
        return sender

    def _user_chat(
        self,
        chat_id: int,
        sender: dict[str, Any],
        chat_type: str | None,
        is_forum: bool,
        title: str | None,
    ) -> dict[str, Any]:
        kind = chat_type or ("private" if chat_id > 0 else "supergroup")
        if kind == "private":
            return self.add_private_chat(
                chat_id,
                first_name=sender.get("first_name"),
                last_name=sender.get("last_name"),
                username=sender.get("username"),
            )
        if chat_id in self.chats and title is None and not is_forum:
            return self.chats[chat_id]
        existing = self.chats.get(chat_id, {})
        return self.create_group(
            chat_id,
            title or existing.get("title", "Test group"),
            is_forum=is_forum or existing.get("is_forum", False),
            chat_type=kind,
        )

    def _user_message(
        self,
        chat_id: int,
        content: dict[str, Any],
        *,
        user: dict[str, Any] | None = None,
        language_code: str | None = "vi",
        chat_type: str | None = None,
        is_forum: bool = False,
        title: str | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        file: Any = None,
    ) -> InjectedUpdate:
        sender = self._sender(chat_id, user, language_code)
        chat = self._user_chat(chat_id, sender, chat_type, is_forum, title)
        content = dict(content)
        if message_thread_id is not None:
            content["message_thread_id"] = message_thread_id
            if chat.get("is_forum"):
                content["is_topic_message"] = True
                if message_thread_id not in self.topics_by_chat.get(chat_id, {}):
                    self.add_topic(chat_id, message_thread_id, f"Topic {message_thread_id}")
        if reply_to_message_id is not None:
            replied = self.find_message(chat_id, reply_to_message_id, "message to reply not found")
            content["reply_to_message"] = json_copy(replied.message)
            content["reply_to_message"].pop("reply_to_message", None)
        stored = self.store_message(chat, sender, content, file=file)
        return self._inject({"message": json_copy(stored.message)})

    def user_sends_text(
        self, chat_id: int, text: str, *, entities: list[dict[str, Any]] | None = None, **kw: Any
    ) -> InjectedUpdate:
        """The user types `text`. Keyword options (all helpers): user (dict overriding
        id/first_name/username...), language_code ("vi"), chat_type ("private" for
        positive ids, "supergroup" otherwise), is_forum, title, message_thread_id,
        reply_to_message_id."""
        content: dict[str, Any] = {"text": text}
        if entities is None and text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if entities:
            content["entities"] = entities
        return self._user_message(chat_id, content, **kw)

    def user_starts(self, chat_id: int, payload: str | None = None, **kw: Any) -> InjectedUpdate:
        """The user presses Start, possibly through a deep link `?start=payload`."""
        return self.user_sends_text(chat_id, f"/start {payload}" if payload else "/start", **kw)

    def user_presses_button(
        self,
        chat_id: int,
        message_id: int,
        data: str | None = None,
        *,
        text: str | None = None,
        user: dict[str, Any] | None = None,
        language_code: str | None = "vi",
        strict: bool = True,
    ) -> InjectedUpdate:
        """The user taps an inline button (chosen by callback `data` or by its `text`).

        With strict=True the button must be on the message as it is now, since a
        user cannot tap a button that is not shown."""
        stored = self.messages.get((chat_id, message_id))
        markup = (stored.message.get("reply_markup") if stored else None) or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        chosen = next(
            (
                b
                for b in buttons
                if (data is not None and b.get("callback_data") == data)
                or (text is not None and b.get("text") == text)
            ),
            None,
        )
        if strict and (stored is None or stored.deleted or chosen is None):
            shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
            raise ValueError(f"no such button on message {message_id} in {chat_id}: {shown}")
        if chosen is not None:
            data = chosen.get("callback_data")
        sender = self._sender(chat_id, user, language_code)
        query_id = str(next(self._callback_ids))
        query: dict[str, Any] = {
            "id": query_id,
            "from": sender,
            "chat_instance": str(abs(hash(("instance", chat_id)))),
            "data": data,
        }
        if stored is not None and not stored.deleted:
            query["message"] = json_copy(stored.message)
        self.open_callbacks[query_id] = query
        return self._inject({"callback_query": query})

    def user_sends_photo(
        self, chat_id: int, image_bytes: bytes, caption: str | None = None, **kw: Any
    ) -> InjectedUpdate:
        """A photo with Telegram's ladder of sizes; the largest is `image_bytes` unchanged."""
        original, sizes = self.files.photo(image_bytes)
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        if media_group_id := kw.pop("media_group_id", None):
            content["media_group_id"] = media_group_id
        return self._user_message(chat_id, content, file=original, **kw)

    def user_sends_album(
        self, chat_id: int, images: list[bytes], caption: str | None = None, **kw: Any
    ) -> list[InjectedUpdate]:
        """Several photos at once: one update each, sharing a media_group_id."""
        group = str(self.next_media_group())
        return [
            self.user_sends_photo(
                chat_id, data, caption if i == 0 else None, media_group_id=group, **kw
            )
            for i, data in enumerate(images)
        ]

    def user_sends_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        file_size: int | None = None,
        **kw: Any,
    ) -> InjectedUpdate:
        """A file; `file_size` may claim a size larger than `data` (e.g. a 50 MB upload)."""
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self.files.add(
            "document",
            data,
            extension=extension,
            mime_type=mime,
            file_name=file_name,
            file_size=file_size,
        )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime,
            "file_size": stored.file_size,
        }
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return self._user_message(chat_id, content, file=stored, **kw)

    def user_sends_voice(
        self, chat_id: int, data: bytes = _OGG_VOICE, duration: int = 3, **kw: Any
    ) -> InjectedUpdate:
        stored = self.files.add("voice", data, extension="oga", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return self._user_message(chat_id, {"voice": voice}, file=stored, **kw)

    def user_sends_sticker(self, chat_id: int, emoji: str = "👍", **kw: Any) -> InjectedUpdate:
        stored = self.files.add("sticker", b"RIFF\x00\x00\x00\x00WEBP", extension="webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._user_message(chat_id, {"sticker": sticker}, file=stored, **kw)

    def user_sends_location(
        self, chat_id: int, latitude: float = 16.4637, longitude: float = 107.5909, **kw: Any
    ) -> InjectedUpdate:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(chat_id, {"location": location}, **kw)

    def user_sends_contact(
        self,
        chat_id: int,
        phone_number: str,
        first_name: str | None = None,
        *,
        contact_user_id: int | None = None,
        **kw: Any,
    ) -> InjectedUpdate:
        """A shared contact; by default the sender's own (a request_contact button)."""
        sender = self._sender(chat_id, kw.get("user"), None)
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or sender["first_name"],
            "user_id": sender["id"] if contact_user_id is None else contact_user_id,
        }
        return self._user_message(chat_id, {"contact": contact}, **kw)

    def user_edits_message(self, chat_id: int, message_id: int, text: str) -> InjectedUpdate:
        """The user edits one of their text messages: an `edited_message` update."""
        stored = self.find_message(chat_id, message_id, "message to edit not found")
        if stored.sender != "user":
            raise ValueError("a user can only edit their own messages")
        stored.message["text"] = text
        stored.message["edit_date"] = int(time.time())
        stored.edits += 1
        return self._inject({"edited_message": json_copy(stored.message)})
