"""Mail-server settings shared by [[mailboxes]] (IMAP) and the SMTP accounts: secrets, TLS, ports.

Everything here runs once, when the configuration loads, so that a wrong setting stops
`intake run` at start with one line naming its key rather than a watcher thread later:

* a password comes from an environment variable (``password_env``) or a file
  (``password_file``, relative to the config file; its one trailing newline is dropped, the
  rest kept as written) and is held as a :class:`Secret`, which never prints;
* ``security`` defaults to TLS, and the port follows it unless given (IMAP 993 / 143,
  SMTP 465 / 587 / 25);
* ``security = "none"`` is refused for a host that is not loopback unless the operator says
  ``allow_plaintext = true``: the app password would cross the network in clear;
* ``tls_ca_file`` (relative to the config file) is loaded now, so a wrong path or a file that
  is not a PEM certificate is a configuration error, not a TLS failure at 3 a.m.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from intake.config.choices import Security
from intake.errors import ConfigError

Protocol = Literal["imap", "smtp"]
DEFAULT_PORTS: dict[tuple[Protocol, Security], int] = {
    ("imap", Security.TLS): 993,
    ("imap", Security.STARTTLS): 143,
    ("imap", Security.NONE): 143,
    ("smtp", Security.TLS): 465,
    ("smtp", Security.STARTTLS): 587,
    ("smtp", Security.NONE): 25,
}
LOADED = {"loaded": True}  # field metadata: filled in by the loader, never read from the TOML


@dataclass(frozen=True)
class Secret:
    """A password read at load; its repr and str never show it."""

    value: str = ""

    def __repr__(self) -> str:
        return "Secret(***)" if self.value else "Secret()"

    def __str__(self) -> str:
        return "***" if self.value else ""

    def __bool__(self) -> bool:
        return bool(self.value)


def default_port(protocol: Protocol, security: Security) -> int:
    return DEFAULT_PORTS[(protocol, security)]


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (where a password in clear stays on the machine)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_plaintext(where: str, host: str, security: Security, allow_plaintext: bool) -> None:
    """Refuse security = "none" for a host off this machine, unless allow_plaintext is set."""
    if security is Security.NONE and host and not is_loopback(host) and not allow_plaintext:
        raise ConfigError(
            f"{where}.security",
            f'"none" would send the password to {host} in clear; use "tls" or "starttls" '
            "(or set allow_plaintext = true if this network is trusted)",
        )


def resolve_path(base: Path, value: str) -> str:
    """value relative to the config file's folder (absolute paths unchanged); "" stays ""."""
    return str(base / value) if value else ""


def read_secret(where: str, password_env: str, password_file: str) -> Secret:
    """The password named by password_env or password_file (a path already resolved), checked."""
    if password_env and password_file:
        raise ConfigError(f"{where}.password_file", "give password_env or password_file, not both")
    if password_env:
        value = os.environ.get(password_env)
        if value is None:
            raise ConfigError(f"{where}.password_env", f"environment variable {password_env} is not set")
        if not value:
            raise ConfigError(f"{where}.password_env", f"environment variable {password_env} is empty")
        return Secret(value)
    if password_file:
        return Secret(_read_password_file(f"{where}.password_file", Path(password_file)))
    return Secret()


def _read_password_file(key: str, path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(key, f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(key, f"{path} is not UTF-8 text") from exc
    # Only the line end an editor or `echo` adds goes: spaces are legal in a password.
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise ConfigError(key, f"{path} is empty")
    if "\n" in text:
        raise ConfigError(key, f"{path} holds more than one line; put only the password in it")
    return text


def check_ca_file(key: str, path: str) -> None:
    """Load the CA file once now: a missing or malformed file is refused at start."""
    if not path:
        return
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(key, f"cannot load {path} as PEM certificates: {detail}") from exc


def tls_context(security: Security, ca_file: str) -> ssl.SSLContext | None:
    """The TLS context for a server: the system's CAs, or only those of ca_file; None for plain."""
    if security is Security.NONE:
        return None
    return ssl.create_default_context(cafile=ca_file or None)
