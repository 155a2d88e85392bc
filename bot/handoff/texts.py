"""What the handoff says, to citizens (in their language) and to staff (in Vietnamese)."""

from __future__ import annotations

from kernel.i18n import N_

# --- to the citizen ----------------------------------------------------------------------
WAIT_OPEN = N_(
    "A support officer will answer you here, usually within about {minutes} minutes. "
    "Everything you send now goes to them: text, photos, papers or voice messages. "
    "To go back to the automated assistant, press the button below or send /end."
)
WAIT_CLOSED = N_(
    "The support team is not at work now. Your request is in the queue: an officer will "
    "answer you here from {when}. You can send your question now, text or photos; they will "
    "read it then. To go back to the automated assistant, press the button below or send /end."
)
BACK_BUTTON = N_("↩️ Back to the assistant")
OFFICER_ANSWERING = N_("Officer {name} is answering you.")
CALL_OFFICE = N_(
    "I cannot reach the support team just now. Your request is recorded. "
    "Please call the office on {phone}."
)
ENDED_BY_CITIZEN = N_("You are back with the automated assistant.")
THE_OFFICER = N_("The support officer")
LINK_SENT = N_("{name} sent you a link to start the procedure: {procedure}\n{link}")
ASSIST_ASK = N_(
    "{volunteer}, of the community digital team, would like to start the application "
    '"{procedure}" for you. You will receive its news in this chat. Do you agree?'
)
ASSIST_YES = N_("✅ Yes, I agree")
ASSIST_NO = N_("❌ No")
ASSIST_DONE_CITIZEN = N_(
    'Thank you. {volunteer} has started the application "{procedure}" for you. '
    "You will receive its news in this chat."
)
ASSIST_REFUSED_CITIZEN = N_("All right, nothing was started.")
ASSIST_FAILED = N_("The application could not be started: {reason}")

# --- to the support group (Vietnamese) ---------------------------------------------------
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
WHEN = N_("{weekday} {date} at {time}")
TOPIC_REOPENED = N_("The previous topic of this case was deleted; the case continues here.")
CARD = N_(
    "🙋 Help request #{case}\nCitizen: {name}\nProcedure: {procedure}\nStep: {step}\n"
    "Application: {app}\nDocuments received: {documents}\nAnswers so far:\n{answers}"
)
CARD_LAST = N_("Last messages of the assistant:\n{messages}")
STEP_PAPER = N_("paper: {paper}")
FLOWS = {
    "menu": N_("main menu"),
    "choose": N_("choosing a procedure"),
    "checklist": N_("papers to prepare"),
    "consent": N_("consent to personal data"),
    "form": N_("filling in the form"),
    "documents": N_("sending papers"),
    "review": N_("checking the answers"),
    "confirm_submit": N_("about to submit"),
    "submitted": N_("submitted"),
    "track": N_("checking an application"),
    "mine": N_("their applications"),
    "language": N_("choosing the language"),
}
CARD_HELP = N_(
    "Write here to answer the citizen. Commands: /close — end the help; "
    "/return <field|documents|review> — back to a step of the form; "
    "/set <field> <value> — fill in an answer; /link <procedure> — send a link that starts "
    "a procedure; /apps — the citizen's applications."
)
NOTHING = N_("(none)")
STAFF_ONLY = N_(
    "Only registered support staff can answer citizens or use commands here. "
    "Ask the team leader to add your Telegram id to STAFF_TELEGRAM_IDS."
)
NO_CASE = N_("No open help case in this topic.")
CLOSED_NOTE = N_("Case closed by {name}.")
CITIZEN_ENDED = N_("The citizen went back to the automated assistant. Case closed.")
CITIZEN_BLOCKED = N_(
    "The citizen has blocked the bot: this message did not reach them. "
    "The case stays recorded; please call them if you have their number."
)
ASKED_AGAIN = N_("The citizen asked for a person again.")
RETURN_USAGE = N_("Usage: /return <field|documents|review>. Fields: {fields}")
SET_USAGE = N_("Usage: /set <field> <value>. Fields: {fields}")
NO_APPLICATION = N_("The citizen has no application open in the assistant.")
SET_DONE = N_("Saved {field} = {value} on the application; the citizen is asked to confirm.")
PORTAL_REFUSED = N_("The ward's system refused: {reason}")
RETURNED = N_("The citizen is back at the step: {target}.")
LINK_USAGE = N_("Usage: /link <procedure>. Procedures: {procedures}")
LINK_DONE = N_("Link sent to the citizen: {link}")
NO_APPS = N_("The citizen has no applications.")
UNKNOWN_COMMAND = N_("Unknown command.")

# --- to volunteers -----------------------------------------------------------------------
ASSIST_USAGE = N_(
    "Usage: /assist <citizen chat id> <procedure>, or /assist <procedure> and then share the "
    "citizen's contact. Procedures: {procedures}"
)
ASSIST_ASKED = N_("I asked the citizen to agree in their own chat. I will tell you here.")
ASSIST_NEED_CONTACT = N_(
    "The citizen has no chat with the bot. Ask them to share their phone contact with you, "
    "then send that contact here (📎 → Contact): that is their consent."
)
ASSIST_CREATED = N_(
    'Application for "{procedure}" started for the citizen ({citizen}). Application id: {app}.'
)
ASSIST_REFUSED = N_("The citizen did not agree; nothing was started.")
