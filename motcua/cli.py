"""The one command line: `motcua <subcommand>`."""

from __future__ import annotations

import click

from nlu.cli import nlu as nlu_group
from portal.cli import catalog_group, portal_command, serve, staff_group


@click.group()
def main() -> None:
    """Mot Cua: the one-stop assistant and the ward's back office."""


main.add_command(portal_command)
main.add_command(catalog_group)
main.add_command(staff_group)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Start the demo: the portal with its seeded catalog and demo staff."""
    serve(host, port, seed=True)


main.add_command(nlu_group)
