"""The one command line: `motcua <subcommand>`.

Subcommands are imported when they run (click's lazy-group pattern): `motcua portal`
must not load aiogram, the NLU and the dialog engine, which only the bot's commands use
(a portal worker would carry ~160 MB and a slower start for nothing)."""

from __future__ import annotations

import importlib

import click

# name -> (module, attribute, one-line help shown by `motcua --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "portal": ("motcua.portal_commands", "portal_command", "Serve the ward's back office."),
    "catalog": ("motcua.portal_commands", "catalog_group", "Check the procedure catalog."),
    "staff": ("motcua.staff_commands", "staff_group", "The clerk's and the head's actions."),
    "demo": ("motcua.demo", "demo_command", "Start the demo: portal and assistant together."),
    "chat": ("motcua.bot_commands", "chat_command", "Talk to the assistant in this terminal."),
    "bot": ("motcua.bot_commands", "bot_command", "Serve every channel that has a token."),
    "nlu": ("motcua.nlu_commands", "nlu_group", "Train and evaluate the language understanding."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: object = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        if cmd_name == "staff":
            from bot.helpdesk import help_group

            # reads the bot store: the requests for a person
            if isinstance(command, click.Group) and "help" not in command.commands:
                command.add_command(help_group)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The list without importing every subcommand's module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup)
def main() -> None:
    """Mot Cua: the one-stop assistant and the ward's back office."""
