"""HandoffService: opens help cases as forum topics, relays messages both ways, runs
the staff commands and the volunteers' assisted applications."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import Message

from backend_client import Backend, BackendError
from bot.context import ContextProvider
from bot.effects import HandoffUnavailable
from bot.handoff import channels, texts
from bot.handoff.card import context_card, procedure_name, topic_title
from bot.handoff.channels import OtherChannel
from bot.handoff.hours import OfficeHours
from bot.handoff.mask import mask_text
from bot.handoff.models import CLOSED, UNREACHABLE, HandoffCase
from bot.handoff.people import parse_people
from bot.handoff.repository import CaseStore
from bot.settings import BotSettings
from bot.store import Store
from dialogs import Btn, Command, Event, Reply, StaffAction
from kernel.i18n import gettext_

if TYPE_CHECKING:  # bot.telegram imports this module: no import cycle at run time
    from bot.runtime import Runtime
    from bot.telegram.sender import ReplySender

log = logging.getLogger(__name__)

MAX_NAMES = 10_000  # first names remembered between an update and its turn's effects
MINUTES_PER_CASE = 5  # a rough pace of the team, for "about N minutes"
BASE_WAIT = 10


class GroupGone(Exception):
    """The bot can no longer write in the support group (removed, or the group is gone)."""


def chat_key(chat_id: int) -> str:
    return f"telegram:{chat_id}"  # as bot.telegram.middleware names a chat


def chat_id_of(key: str) -> int:
    return int(key.rsplit(":", 1)[1])


def _thread_gone(exc: TelegramBadRequest) -> bool:
    text = str(exc).lower()
    return "thread not found" in text or "topic_id_invalid" in text or "topic_deleted" in text


def _group_gone(exc: Exception) -> bool:
    if isinstance(exc, TelegramForbiddenError):
        return True
    return isinstance(exc, TelegramBadRequest) and "chat not found" in str(exc).lower()


class HandoffService:
    def __init__(
        self,
        *,
        bot: Bot,
        settings: BotSettings,
        store: Store,
        backend: Backend,
        contexts: ContextProvider,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bot = bot
        self.support_chat = settings.support_chat_id
        self.staff = parse_people(settings.staff_telegram_ids)
        self.volunteers = parse_people(settings.volunteers)
        self.hours = OfficeHours.parse(settings.office_hours, settings.office_timezone)
        self.store = store
        self.cases = CaseStore(store.engine)
        self.backend = backend
        self.contexts = contexts
        self.clock = clock
        self.phone = contexts_phone()
        # Chat key → first name, learnt from the update that asks for a person (the
        # effect that opens the case sees only the key); the case row keeps it after.
        self.names: OrderedDict[str, str] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runtime: Runtime | None = None
        self._sender: ReplySender | None = None
        # Channels without aiogram (Zalo) by key prefix: their citizens' cases open
        # topics in the same group; texts are relayed both ways through them.
        self.channels: dict[str, OtherChannel] = {}

    def add_channel(self, prefix: str, channel: OtherChannel) -> None:
        self.channels[prefix] = channel

    async def _send(self, key: str, replies: list[Reply]) -> bool:
        """Replies to a citizen on whichever channel the chat key names."""
        other = self.channels.get(key.split(":", 1)[0])
        if other is not None:
            return await other.send(key, replies)
        return await self.sender.send(chat_id_of(key), key, replies)

    def bind(self, runtime: Runtime, sender: ReplySender) -> None:
        """The runtime and sender are built after the effect runner that calls us."""
        self._runtime = runtime
        self._sender = sender

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "HandoffService.bind() was not called"
        return self._runtime

    @property
    def sender(self) -> ReplySender:
        assert self._sender is not None, "HandoffService.bind() was not called"
        return self._sender

    async def drain(self) -> None:
        """Wait for the notices scheduled after a turn (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _later(self, key: str, replies: list[Reply]) -> None:
        """Send after the current turn of this chat (its lock is held now), so the
        notice comes after the engine's own answer."""

        async def send() -> None:
            async with self.runtime.locks.hold(key):
                await self._send(key, replies)

        self._spawn(send())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- opening a case (the engine's request_human effect) ------------------------------

    @property
    def relays(self) -> bool:
        """Cases go to the support group, and its wait notice answers the citizen."""
        return self.support_chat is not None

    async def add_handoff(self, key: str, reason: str, summary: dict[str, Any]) -> int:
        request_id = await self.store.add_handoff(key, reason, summary)
        if self.support_chat is None:
            return request_id  # recorded; the engine tells the citizen to call the office
        lang = str(summary.get("lang") or "vi")
        existing = await self.cases.open_case_of(key)
        if existing is not None:
            await self._to_topic_text(existing, gettext_(texts.ASKED_AGAIN, "vi"))
            self._later(key, [self._wait_notice(existing, lang, ahead=0)])
            return request_id
        state = await self.store.load_state(key)
        name = self.names.get(key) or await self.cases.last_name_of(key)
        case = await self.cases.open_case(
            key=key,
            request_id=request_id,
            citizen_name=name,
            lang=lang,
            procedure=state.procedure,
            app_id=state.app_id,
            step=state.field or state.flow,
        )
        try:
            await self._new_topic(case)
        except GroupGone as exc:
            log.warning("support group unreachable for case %s: %s", case.id, exc)
            await self.cases.close_case(case, UNREACHABLE)
            await self.cases.log(case.id, "bot", "group_unreachable", error=str(exc))
            raise HandoffUnavailable(str(exc)) from exc
        ahead = await self.cases.open_cases_before(case.id)
        self._later(key, [self._wait_notice(case, lang, ahead)])
        return request_id

    async def _new_topic(self, case: HandoffCase, note: str | None = None) -> int:
        procedures = await self.contexts.procedures()
        state = await self.store.load_state(case.key)
        assert self.support_chat is not None
        try:
            topic = await self.bot.create_forum_topic(
                self.support_chat, topic_title(case.citizen_name, state, procedures)
            )
            thread = topic.message_thread_id
            card = context_card(case.id, case.citizen_name, state, procedures, state.recent)
            if note:
                card = note + "\n\n" + card
            await self.bot.send_message(self.support_chat, card, message_thread_id=thread)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            raise GroupGone(str(exc)) from exc
        case.topic_id = thread
        await self.cases.update_case(case.id, topic_id=thread)
        await self.cases.log(case.id, "bot", "topic", topic_id=thread)
        return thread

    def _wait_notice(self, case: HandoffCase, lang: str, ahead: int) -> Reply:
        now = self.clock()
        button = ((Btn(gettext_(texts.BACK_BUTTON, lang), "hoff:end"),),)
        if self.hours.is_open(now):
            minutes = BASE_WAIT + MINUTES_PER_CASE * ahead
            return Reply(gettext_(texts.WAIT_OPEN, lang, minutes=minutes), buttons=button)
        opening = self.hours.next_opening(now)
        when = gettext_(
            texts.WHEN,
            lang,
            weekday=gettext_(texts.WEEKDAYS[opening.weekday()], lang),
            date=opening.strftime("%d/%m"),
            time=opening.strftime("%H:%M"),
        )
        return Reply(gettext_(texts.WAIT_CLOSED, lang, when=when), buttons=button)

    # --- citizen → topic -----------------------------------------------------------------

    async def open_case_for_chat(self, chat_id: int, first_name: str | None) -> HandoffCase | None:
        return await self.open_case_for_key(chat_key(chat_id), first_name)

    async def open_case_for_key(self, key: str, first_name: str | None) -> HandoffCase | None:
        if first_name:
            self.names[key] = first_name
            self.names.move_to_end(key)
            if len(self.names) > MAX_NAMES:
                self.names.popitem(last=False)
        if self.support_chat is None:
            return None
        return await self.cases.open_case_of(key)

    async def relay_from_citizen(self, message: Message, case: HandoffCase) -> None:
        if message.text and message.text.strip().lower().split("@")[0] in ("/end", "/stop"):
            await self.end_by_citizen(case, locked=True)
            return
        try:
            await self._copy_to_topic(case, message)
        except GroupGone as exc:
            log.warning("case %s: support group unreachable: %s", case.id, exc)
            await self.cases.close_case(case, UNREACHABLE)
            await self.cases.log(case.id, "bot", "group_unreachable", error=str(exc))
            await self.sender.send(
                message.chat.id,
                case.key,
                [Reply(gettext_(texts.CALL_OFFICE, case.lang, phone=self.phone), kind="error")],
            )
            return
        await self.cases.log(case.id, "citizen", "message", message_id=message.message_id)
        command = (message.text or "").split(maxsplit=1)
        if len(command) == 2 and command[0].split("@")[0] == "/start":
            # A deep link (e.g. the one an officer sent with /link): the staff saw it
            # above, and the assistant opens it now, the case staying open.
            replies = await self.runtime.process_locked(
                case.key, Command("start", command[1].strip()), lang_hint=case.lang
            )
            await self.sender.send(message.chat.id, case.key, replies)

    async def relay_text_from_citizen(self, case: HandoffCase, text: str) -> None:
        """A citizen on a channel without aiogram (Zalo): the text goes to the topic
        under their name ("/end" ends the case, as in Telegram)."""
        if text.strip().lower() in ("/end", "/stop"):
            await self.end_by_citizen(case, locked=False)
            return
        who = case.citizen_name or gettext_(channels.THE_CITIZEN, "vi")
        await self._to_topic_text(case, f"{who}: {text}")
        await self.cases.log(case.id, "citizen", "message")

    async def _copy_to_topic(self, case: HandoffCase, message: Message) -> None:
        assert self.support_chat is not None
        for attempt in range(2):
            try:
                await self.bot.copy_message(
                    self.support_chat,
                    message.chat.id,
                    message.message_id,
                    message_thread_id=case.topic_id,
                )
                return
            except TelegramBadRequest as exc:
                if attempt == 0 and _thread_gone(exc):
                    # Someone deleted the topic by hand: the case goes on in a new one.
                    await self._new_topic(case, gettext_(texts.TOPIC_REOPENED, "vi"))
                    continue
                if _group_gone(exc):
                    raise GroupGone(str(exc)) from exc
                raise
            except TelegramForbiddenError as exc:
                raise GroupGone(str(exc)) from exc

    async def _to_topic_text(self, case: HandoffCase, text: str) -> None:
        assert self.support_chat is not None
        try:
            try:
                await self.bot.send_message(
                    self.support_chat, text, message_thread_id=case.topic_id
                )
            except TelegramBadRequest as exc:
                if not _thread_gone(exc):
                    raise
                await self._new_topic(case, gettext_(texts.TOPIC_REOPENED, "vi"))
                await self.bot.send_message(
                    self.support_chat, text, message_thread_id=case.topic_id
                )
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            log.warning("case %s: note not posted in the group: %s", case.id, exc)

    async def end_by_citizen(self, case: HandoffCase, *, locked: bool) -> None:
        await self.cases.close_case(case, CLOSED)
        await self.cases.log(case.id, "citizen", "end")
        await self._to_topic_text(case, gettext_(texts.CITIZEN_ENDED, "vi"))
        name = case.staff_name or gettext_(texts.THE_OFFICER, case.lang)
        intro = Reply(gettext_(texts.ENDED_BY_CITIZEN, case.lang))
        await self._to_citizen(case, StaffAction("closed", staff=name), locked=locked, intro=intro)

    async def _to_citizen(
        self, case: HandoffCase, event: Event, *, locked: bool, intro: Reply | None = None
    ) -> None:
        """An event through the runtime (the engine answers), replies to the citizen."""
        if locked:
            replies = await self.runtime.process_locked(case.key, event, lang_hint=case.lang)
        else:
            replies = await self.runtime.process(case.key, event, lang_hint=case.lang)
        sent = await self._send(case.key, ([intro] if intro else []) + replies)
        if not sent:
            await self._to_topic_text(case, gettext_(texts.CITIZEN_BLOCKED, "vi"))

    # --- topic → citizen -----------------------------------------------------------------

    async def on_group_message(self, message: Message) -> None:
        user = message.from_user
        if user is None or user.is_bot or not message.message_thread_id:
            return  # service messages, or the general topic
        case = await self.cases.case_in_topic(message.message_thread_id)
        is_command = bool(message.text and message.text.startswith("/"))
        if case is None:
            if is_command and user.id in self.staff:
                await self._reply(message, gettext_(texts.NO_CASE, "vi"))
            return
        if user.id not in self.staff:
            await self._reply(message, gettext_(texts.STAFF_ONLY, "vi"))
            return
        name = self.staff[user.id]
        if case.status != "open":
            await self._reply(message, gettext_(texts.NO_CASE, "vi"))
            return
        if is_command and message.text:
            await self._command(case, name, message)
            return
        await self._relay_to_citizen(case, user.id, name, message)

    async def _reply(self, message: Message, text: str) -> None:
        try:
            await self.bot.send_message(
                message.chat.id, text, message_thread_id=message.message_thread_id
            )
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            log.warning("no answer in the support group: %s", exc)

    async def _relay_to_citizen(
        self, case: HandoffCase, staff_id: int, name: str, message: Message
    ) -> None:
        other = self.channels.get(case.key.split(":", 1)[0])
        if other is not None:
            await self._relay_to_other(case, other, staff_id, name, message)
            return
        chat_id = chat_id_of(case.key)
        try:
            if case.staff_id != staff_id:
                await self.bot.send_message(
                    chat_id, gettext_(texts.OFFICER_ANSWERING, case.lang, name=name)
                )
                await self.cases.update_case(case.id, staff_id=staff_id, staff_name=name)
            await self.bot.copy_message(chat_id, message.chat.id, message.message_id)
        except TelegramForbiddenError:
            await self.store.record_blocked(case.key)
            await self.cases.log(case.id, f"staff:{staff_id}:{name}", "undelivered")
            await self._reply(message, gettext_(texts.CITIZEN_BLOCKED, "vi"))
            return
        await self.cases.log(
            case.id, f"staff:{staff_id}:{name}", "message", message_id=message.message_id
        )

    async def _relay_to_other(
        self, case: HandoffCase, other: OtherChannel, staff_id: int, name: str, message: Message
    ) -> None:
        """Zalo and the like take text only: a photo or file is not relayed, and the
        officer is told so."""
        text = message.text or message.caption
        if not text:
            await self._reply(message, gettext_(channels.TEXT_ONLY, "vi"))
            return
        replies = []
        if case.staff_id != staff_id:
            replies.append(Reply(gettext_(texts.OFFICER_ANSWERING, case.lang, name=name)))
            await self.cases.update_case(case.id, staff_id=staff_id, staff_name=name)
        replies.append(Reply(text))
        if not await other.send(case.key, replies):
            await self.cases.log(case.id, f"staff:{staff_id}:{name}", "undelivered")
            await self._reply(message, gettext_(texts.CITIZEN_BLOCKED, "vi"))
            return
        await self.cases.log(
            case.id, f"staff:{staff_id}:{name}", "message", message_id=message.message_id
        )

    # --- staff commands ------------------------------------------------------------------

    async def _command(self, case: HandoffCase, name: str, message: Message) -> None:
        assert message.text is not None and message.from_user is not None
        head, _, rest = message.text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        args = rest.strip()
        actor = f"staff:{message.from_user.id}:{name}"
        handlers = {
            "close": self._cmd_close,
            "return": self._cmd_return,
            "set": self._cmd_set,
            "link": self._cmd_link,
            "apps": self._cmd_apps,
        }
        handler = handlers.get(command)
        if handler is None:
            await self._reply(
                message,
                gettext_(texts.UNKNOWN_COMMAND, "vi") + "\n" + gettext_(texts.CARD_HELP, "vi"),
            )
            return
        await self.cases.log(case.id, actor, command, args=args)
        await handler(case, name, args, message)

    async def _cmd_close(self, case: HandoffCase, name: str, args: str, message: Message) -> None:
        await self.cases.close_case(case, CLOSED)
        await self._reply(message, gettext_(texts.CLOSED_NOTE, "vi", name=name))
        await self._to_citizen(case, StaffAction("closed", staff=name), locked=False)
        try:
            assert self.support_chat is not None and case.topic_id is not None
            await self.bot.close_forum_topic(self.support_chat, case.topic_id)
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            log.info("topic of case %s not closed: %s", case.id, exc)

    async def _fields(self, case: HandoffCase) -> list[str]:
        state = await self.store.load_state(case.key)
        procedures = await self.contexts.procedures()
        proc = procedures.get(state.procedure or "")
        return [f.name for f in proc.fields] if proc else []

    async def _cmd_return(self, case: HandoffCase, name: str, args: str, message: Message) -> None:
        fields = await self._fields(case)
        if args not in [*fields, "documents", "review"]:
            await self._reply(
                message, gettext_(texts.RETURN_USAGE, "vi", fields=", ".join(fields) or "—")
            )
            return
        await self._to_citizen(
            case, StaffAction("return_to", staff=name, target=args), locked=False
        )
        await self._reply(message, gettext_(texts.RETURNED, "vi", target=args))

    async def _cmd_set(self, case: HandoffCase, name: str, args: str, message: Message) -> None:
        field, _, value = args.partition(" ")
        value = value.strip()
        fields = await self._fields(case)
        if field not in fields or not value:
            await self._reply(
                message, gettext_(texts.SET_USAGE, "vi", fields=", ".join(fields) or "—")
            )
            return
        state = await self.store.load_state(case.key)
        if not state.app_id:
            await self._reply(message, gettext_(texts.NO_APPLICATION, "vi"))
            return
        try:
            app = await self.backend.set_answers(case.key, state.app_id, {field: value})
        except BackendError as exc:
            reason = "; ".join(
                [str(exc.message.get("vi", exc)) if exc.message else str(exc)]
                + [f"{f.field}: {f.message.get('vi', f.code)}" for f in exc.fields]
            )
            await self._reply(message, gettext_(texts.PORTAL_REFUSED, "vi", reason=reason))
            return
        actor = f"staff:{message.from_user.id if message.from_user else 0}:{name}"
        await self.cases.log(
            case.id, actor, "answer_set", app_id=state.app_id, field=field, value=value
        )
        await self._reply(
            message, gettext_(texts.SET_DONE, "vi", field=field, value=mask_text(value))
        )
        event = StaffAction("filled", staff=name, target=field, value=value, answers=app.answers)
        await self._to_citizen(case, event, locked=False)

    async def _cmd_link(self, case: HandoffCase, name: str, args: str, message: Message) -> None:
        procedures = await self.contexts.procedures()
        if args not in procedures:
            await self._reply(
                message, gettext_(texts.LINK_USAGE, "vi", procedures=", ".join(sorted(procedures)))
            )
            return
        link = f"{await self._bot_link()}?start=proc_{args}"
        text = gettext_(
            texts.LINK_SENT, case.lang, name=name, procedure=procedures[args].name, link=link
        )
        sent = await self._send(case.key, [Reply(text)])
        if not sent:
            await self._reply(message, gettext_(texts.CITIZEN_BLOCKED, "vi"))
            return
        await self._reply(message, gettext_(texts.LINK_DONE, "vi", link=link))

    async def _bot_link(self) -> str:
        if not self.contexts.bot_link:
            me = await self.bot.get_me()
            self.contexts.bot_link = f"https://t.me/{me.username}"
        return self.contexts.bot_link

    async def _cmd_apps(self, case: HandoffCase, name: str, args: str, message: Message) -> None:
        try:
            apps = await self.backend.my_applications(case.key)
        except BackendError as exc:
            await self._reply(message, gettext_(texts.PORTAL_REFUSED, "vi", reason=str(exc)))
            return
        if not apps:
            await self._reply(message, gettext_(texts.NO_APPS, "vi"))
            return
        lines = [
            " · ".join(
                p
                for p in (
                    a.procedure_name.get("vi", a.procedure),
                    a.status_label.get("vi", a.status),
                    a.tracking_code or a.id[:8],
                    a.applicant or "",
                    a.citizen_id_masked or "",
                )
                if p
            )
            for a in apps
        ]
        await self._reply(message, mask_text("\n".join(lines)))

    # --- volunteers ----------------------------------------------------------------------

    async def assist(self, message: Message, args: str) -> None:
        """``/assist <citizen chat id> <procedure>`` or ``/assist <procedure>``."""
        assert message.from_user is not None
        volunteer = message.from_user.id
        procedures = await self.contexts.procedures()
        parts = args.split()
        usage = gettext_(texts.ASSIST_USAGE, "vi", procedures=", ".join(sorted(procedures)))
        if not parts or parts[-1] not in procedures or len(parts) > 2:
            await self._say(message.chat.id, usage)
            return
        slug = parts[-1]
        citizen_chat: int | None = None
        if len(parts) == 2:
            try:
                citizen_chat = int(parts[0])
            except ValueError:
                await self._say(message.chat.id, usage)
                return
        request = await self.cases.add_assist(
            volunteer_id=volunteer,
            volunteer_name=self.volunteers.get(volunteer, str(volunteer)),
            citizen_key=chat_key(citizen_chat) if citizen_chat else None,
            procedure=slug,
            status="asked" if citizen_chat else "contact",
        )
        if citizen_chat is None:
            await self._say(message.chat.id, gettext_(texts.ASSIST_NEED_CONTACT, "vi"))
            return
        citizen_key = chat_key(citizen_chat)
        lang = (await self.store.load_state(citizen_key)).lang
        ask = gettext_(
            texts.ASSIST_ASK,
            lang,
            volunteer=request.volunteer_name,
            procedure=procedures[slug].name,
        )
        buttons = (
            (
                Btn(gettext_(texts.ASSIST_YES, lang), f"hoff:assist:{request.id}:yes"),
                Btn(gettext_(texts.ASSIST_NO, lang), f"hoff:assist:{request.id}:no"),
            ),
        )
        try:
            markup = self.sender.markup(citizen_chat, Reply(ask, buttons=buttons))
            await self.bot.send_message(citizen_chat, ask, reply_markup=markup)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            log.info("assist %s: citizen chat unreachable: %s", request.id, exc)
            await self.cases.set_assist(request.id, "asked", status="contact")
            await self._say(message.chat.id, gettext_(texts.ASSIST_NEED_CONTACT, "vi"))
            return
        await self._say(message.chat.id, gettext_(texts.ASSIST_ASKED, "vi"))

    async def waiting_contact(self, volunteer_id: int) -> bool:
        return await self.cases.waiting_contact(volunteer_id) is not None

    async def assist_by_contact(self, message: Message) -> None:
        """The citizen shared their contact with the volunteer: their consent."""
        assert message.from_user is not None and message.contact is not None
        request = await self.cases.waiting_contact(message.from_user.id)
        if request is None:
            return
        phone = normalize_phone(message.contact.phone_number)
        # No chat of theirs with the bot: the portal knows them by phone, and the
        # notifier falls back to the volunteer's chat.
        citizen = f"phone:{phone}"
        if not await self.cases.set_assist(request.id, "contact", status="created"):
            return
        await self._create_assisted(request.id, citizen, phone=phone, tell_citizen=False)

    async def assist_answer(self, chat_id: int, assist_id: int, yes: bool) -> None:
        request = await self.cases.get_assist(assist_id)
        if request is None or request.citizen_key != chat_key(chat_id):
            return
        lang = (await self.store.load_state(request.citizen_key)).lang
        if not yes:
            if await self.cases.set_assist(assist_id, "asked", status="refused"):
                await self._say(chat_id, gettext_(texts.ASSIST_REFUSED_CITIZEN, lang))
                await self._say(request.volunteer_id, gettext_(texts.ASSIST_REFUSED, "vi"))
            return
        if await self.cases.set_assist(assist_id, "asked", status="created"):
            await self._create_assisted(assist_id, request.citizen_key, tell_citizen=True)

    async def _create_assisted(
        self, assist_id: int, citizen: str, *, phone: str | None = None, tell_citizen: bool
    ) -> None:
        request = await self.cases.get_assist(assist_id)
        assert request is not None
        volunteer_key = chat_key(request.volunteer_id)
        procedures = await self.contexts.procedures()
        proc_name = procedure_name(procedures, request.procedure)
        lang = (await self.store.load_state(citizen)).lang if tell_citizen else "vi"
        try:
            app = await self.backend.create_application(
                volunteer_key, request.procedure, phone=phone, lang=lang, on_behalf_of=citizen
            )
        except BackendError as exc:
            await self.cases.set_assist(assist_id, "created", status="failed")
            reason = str(exc.message.get("vi", exc)) if exc.message else str(exc)
            await self._say(
                request.volunteer_id, gettext_(texts.ASSIST_FAILED, "vi", reason=reason)
            )
            if tell_citizen:
                await self._say(
                    chat_id_of(citizen), gettext_(texts.ASSIST_FAILED, lang, reason=reason)
                )
            return
        await self.cases.set_assist(assist_id, "created", app_id=app.id, citizen_key=citizen)
        await self._say(
            request.volunteer_id,
            gettext_(
                texts.ASSIST_CREATED,
                "vi",
                procedure=proc_name,
                citizen=mask_text(citizen),
                app=app.id,
            ),
        )
        if tell_citizen:
            await self._say(
                chat_id_of(citizen),
                gettext_(
                    texts.ASSIST_DONE_CITIZEN,
                    lang,
                    volunteer=request.volunteer_name,
                    procedure=procedures[request.procedure].name,
                ),
            )

    async def _say(self, chat_id: int, text: str) -> None:
        try:
            await self.bot.send_message(chat_id, text)
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            log.info("message to %s not sent: %s", chat_id, exc)


def normalize_phone(raw: str) -> str:
    """+84 91 234 5678 / 84912345678 / 0912345678 → 0912345678."""
    digits = "".join(c for c in raw if c.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def contexts_phone() -> str:
    from dialogs.context import Office

    return Office().phone
