"""deploy/ agrees with the code: every command the systemd units and the compose file
run exists and takes the flags given, every variable they set is a setting of the
process that reads it, the ports and paths line up with nginx, and (when nginx is
installed) nginx accepts both sites."""

from __future__ import annotations

import configparser
import importlib.util
import re
import shlex
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml
from click.testing import CliRunner
from dotenv import dotenv_values
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from bot.notify.settings import NotifySettings
from bot.settings import BotSettings
from bot.workers import refusal
from motcua.cli import main
from portal.settings import PortalSettings
from portal.workers import require_shared_database

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
ENV_FILES = {"/etc/motcua/portal.env": "portal.env", "/etc/motcua/bot.env": "bot.env"}
PORTAL: tuple[type[BaseSettings], ...] = (PortalSettings,)
BOT: tuple[type[BaseSettings], ...] = (BotSettings, NotifySettings)


def setting_names(cls: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads."""
    prefix = str(cls.model_config.get("env_prefix") or "")
    names = set()
    for name, field in cls.model_fields.items():
        names.add((prefix + name).upper())
        if field.alias:
            names.add(field.alias.upper())
        if isinstance(field.validation_alias, AliasChoices):
            names.update(str(c).upper() for c in field.validation_alias.choices)
        elif isinstance(field.validation_alias, str):
            names.add(field.validation_alias.upper())
    return names


def readers(argv: list[str]) -> tuple[type[BaseSettings], ...]:
    """The settings classes of the process ``argv`` starts."""
    if argv[:2] == ["motcua", "portal"]:
        return PORTAL
    return BOT  # `motcua bot` and `python -m bot.notify`


def example(name: str) -> dict[str, str]:
    values = dotenv_values(DEPLOY / f"{name}.example")
    return {k: v or "" for k, v in values.items()}


def check_command(argv: list[str]) -> None:
    """``argv`` runs: `motcua ...` parses with these flags and its --help works;
    `python -m X` names a module that runs."""
    if argv[:2] == ["python", "-m"]:
        assert importlib.util.find_spec(f"{argv[2]}.__main__") is not None, argv
        assert argv[3:] == [], f"{argv}: python -m bot.notify takes no arguments"
        return
    assert argv[0] == "motcua", argv
    command: click.Command = main
    path = []
    rest = argv[1:]
    ctx = click.Context(main)
    while isinstance(command, click.Group) and rest:
        found = command.get_command(ctx, rest[0])  # motcua's subcommands load lazily
        if found is None:
            break
        path.append(rest[0])
        command = found
        rest = rest[1:]
    assert path, f"{argv}: no such motcua command"
    help_run = CliRunner().invoke(main, [*path, "--help"])
    assert help_run.exit_code == 0, help_run.output
    for flag in [a for a in rest if a.startswith("--")]:
        assert flag in help_run.output, f"{argv}: {flag} is not an option of {path}"
    # The values parse too (types, ranges), without running anything.
    command.make_context(" ".join(path), list(rest))


def check_names(where: str, names: set[str], classes: tuple[type[BaseSettings], ...]) -> None:
    known = set().union(*(setting_names(c) for c in classes))
    unknown = sorted(names - known)
    assert not unknown, f"{where}: not settings of {[c.__name__ for c in classes]}: {unknown}"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def exec_argv(parser: configparser.ConfigParser) -> list[str]:
    argv = shlex.split(parser["Service"]["ExecStart"])
    argv[0] = Path(argv[0]).name  # /opt/motcua/.venv/bin/motcua -> motcua
    return argv


def unit_environment(parser: configparser.ConfigParser) -> dict[str, str]:
    found = {}
    for item in shlex.split(parser["Service"].get("Environment", "")):
        key, _, value = item.partition("=")
        found[key] = value
    return found


def apply(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Exactly ``env`` as the environment the settings classes see."""
    for cls in (PortalSettings, BotSettings, NotifySettings):
        for name in setting_names(cls):
            monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


# --- systemd -------------------------------------------------------------------------


def test_every_unit_runs_a_real_command_with_real_settings() -> None:
    units = sorted(UNITS.glob("*.service"))
    assert {u.name for u in units} == {
        "motcua-portal.service",
        "motcua-bot.service",
        "motcua-notifier@.service",
    }
    for path in units:
        parser = unit(path)
        argv = exec_argv(parser)
        check_command(argv)
        classes = readers(argv)
        env_file = parser["Service"]["EnvironmentFile"]
        check_names(path.name, set(example(ENV_FILES[env_file])), classes)
        check_names(path.name, set(unit_environment(parser)), classes)
    for dropin in UNITS.glob("*.service.d/*.conf"):
        check_names(str(dropin), set(unit_environment(unit(dropin))), BOT)


def test_the_units_run_two_workers_each_and_their_settings_allow_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portal = exec_argv(unit(UNITS / "motcua-portal.service"))
    bot = exec_argv(unit(UNITS / "motcua-bot.service"))
    assert portal[portal.index("--workers") + 1] == "2"
    assert bot[bot.index("--workers") + 1] == "2"

    apply(monkeypatch, example("portal.env"))
    portal_settings = PortalSettings()
    require_shared_database(portal_settings.database_url, 2)  # PostgreSQL
    assert portal_settings.redis_url and portal_settings.trusted_proxies == ("127.0.0.1",)
    assert portal_settings.motcua_env == "production"
    for field in portal_settings.secret_fields():  # every secret is set, not defaulted
        assert field.upper() in example("portal.env"), field

    apply(monkeypatch, example("bot.env"))
    bot_settings = BotSettings()
    assert refusal(bot_settings, 2) is None
    for field in bot_settings.secret_fields():
        assert field.upper() in example("bot.env"), field
    NotifySettings()  # the NOTIFY_* values parse
    # Shared secrets match between the two files.
    for name in ("BOT_SERVICE_TOKEN", "EVENT_WEBHOOK_SECRET"):
        assert example("portal.env")[name] == example("bot.env")[name], name


# --- nginx -----------------------------------------------------------------------------


def upstreams(conf: str) -> dict[str, str]:
    return dict(re.findall(r"upstream (\w+) \{\s*server ([^;\s]+);", conf))


def test_nginx_sends_each_path_to_the_process_that_serves_it() -> None:
    site = (DEPLOY / "nginx" / "motcua.conf").read_text()
    locations = (DEPLOY / "nginx" / "motcua-locations.conf").read_text()
    portal = exec_argv(unit(UNITS / "motcua-portal.service"))
    bot = example("bot.env")
    assert upstreams(site) == {
        "motcua_portal": f"127.0.0.1:{portal[portal.index('--port') + 1]}",
        "motcua_bot": f"{bot['WEBHOOK_HOST']}:{bot['WEBHOOK_PORT']}",
        "motcua_zalo": f"{bot['ZALO_HTTP_HOST']}:{bot['ZALO_HTTP_PORT']}",
    }
    assert f"location = {urlsplit(bot['WEBHOOK_URL']).path} {{" in locations
    assert bot["PORTAL_URL"] == f"http://{upstreams(site)['motcua_portal']}"
    for path in ("/zalo/", "/t", "/t-static/", "/staff", "/v1/", "= /v1/payments/callback"):
        assert f"location {path} {{" in locations, path
    assert "include /etc/nginx/snippets/motcua-locations.conf;" in site
    # The portal's event push reaches notifier@1's wake-up port and path.
    hook = urlsplit(example("portal.env")["EVENT_WEBHOOK_URL"])
    dropin = unit_environment(unit(UNITS / "motcua-notifier@1.service.d" / "webhook.conf"))
    assert hook.port == int(dropin["NOTIFY_WEBHOOK_PORT"])
    assert hook.path == NotifySettings.model_fields["webhook_path"].default


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "motcua.example.vn")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("site", ["motcua.conf", "compose.conf"])
def test_nginx_accepts_the_site(site: str, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if nginx is None:
        pytest.skip("nginx is not installed")
    cert, key = _self_signed(tmp_path)
    text = (DEPLOY / "nginx" / site).read_text()
    text = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {cert};", text)
    text = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {key};", text)
    text = text.replace(
        "/etc/nginx/snippets/motcua-locations.conf",
        str(DEPLOY / "nginx" / "motcua-locations.conf"),
    )
    # The containers' names resolve only inside compose's network.
    text = re.sub(r"server (portal|bot):", "server 127.0.0.1:", text)
    (tmp_path / "site.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", "nginx.conf"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# --- compose -----------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for name in service.get("env_file", []):
        env.update(example(name))
    for key, value in (service.get("environment") or {}).items():
        env[key] = str(value).replace("${POSTGRES_PASSWORD}", "secret")
    return env


def test_compose_runs_the_same_processes_with_real_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "portal", "bot", "notifier", "nginx"}
    ours = {name: s for name, s in services.items() if "build" in s}
    assert set(ours) == {"portal", "bot", "notifier"}
    assert (DEPLOY.parent / ours["portal"]["build"]["dockerfile"]).is_file()
    for name, service in ours.items():
        argv = list(service["command"])
        check_command(argv)
        env = service_environment(service)
        check_names(f"compose {name}", set(env), readers(argv))
    # Two workers of each, and their settings allow it.
    assert ours["portal"]["command"][-2:] == ["--workers", "2"]
    assert ours["bot"]["command"][-2:] == ["--workers", "2"]
    apply(monkeypatch, service_environment(ours["portal"]))
    portal = PortalSettings()
    require_shared_database(portal.database_url, 2)
    nginx_ip = services["nginx"]["networks"]["motcua"]["ipv4_address"]
    assert portal.trusted_proxies == (nginx_ip,)
    apply(monkeypatch, service_environment(ours["bot"]))
    bot = BotSettings()
    assert refusal(bot, 2) is None
    assert bot.portal_url == "http://portal:8000"
    # nginx finds the workers where they listen.
    conf = (DEPLOY / "nginx" / "compose.conf").read_text()
    assert upstreams(conf) == {
        "motcua_portal": "portal:8000",
        "motcua_bot": f"bot:{bot.webhook_port}",
        "motcua_zalo": f"bot:{bot.zalo_http_port}",
    }
    mounts = services["nginx"]["volumes"]
    assert "./nginx/motcua-locations.conf:/etc/nginx/snippets/motcua-locations.conf:ro" in mounts
    # The portal pushes events to the notifier's wake-up port.
    apply(monkeypatch, service_environment(ours["notifier"]))
    notify = NotifySettings()
    assert portal.event_webhook_url == f"http://notifier:{notify.webhook_port}/portal-events"
