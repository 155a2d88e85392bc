"""The one command line: `motcua <subcommand>`."""

from __future__ import annotations

import click

from bot.helpdesk import help_group
from motcua.bot_commands import bot_command, chat_command
from motcua.demo import run_demo
from motcua.portal_commands import catalog_group, portal_command
from motcua.staff_commands import staff_group
from nlu.cli import nlu as nlu_group


@click.group()
def main() -> None:
    """Mot Cua: the one-stop assistant and the ward's back office."""


main.add_command(portal_command)
main.add_command(catalog_group)
main.add_command(staff_group)
staff_group.add_command(help_group)  # reads the bot store: the requests for a person


@main.command("demo")
def demo() -> None:
    """Start the demo: the portal (SQLite, seeded) and the assistant together — in
    Telegram when TELEGRAM_BOT_TOKEN is set, otherwise in this terminal."""
    run_demo()


main.add_command(chat_command)
main.add_command(bot_command)
main.add_command(nlu_group)
