"""What an IMAP session needs beyond imapclient's defaults, for servers other than Dovecot.

* keepalive(): TCP keepalive on the socket, so that a NAT or firewall that forgets a quiet IDLE
  connection is noticed in minutes rather than at the next IDLE renewal (or never).
* login(): LOGIN carries only ASCII (imaplib encodes commands as ASCII) and some servers refuse
  it (LOGINDISABLED); AUTHENTICATE PLAIN (RFC 4616) carries UTF-8, so it is used for a user name
  or password that is not ASCII, or when LOGIN is disabled.
* personal_folder(): Cyrus and Courier keep personal folders under "INBOX." (NAMESPACE says
  (("INBOX." "."))); a processed_target written as "Intake" becomes "INBOX.Intake" there, and
  stays "Intake" on Dovecot (("" "/")).  A target already under the prefix is left alone.
* uidvalidity(): STATUS of the selected folder, to notice a folder deleted and recreated by
  another session (Cyrus tells the session nothing, no BYE).
"""

from __future__ import annotations

import logging
import socket

import imapclient

log = logging.getLogger(__name__)

KEEPALIVE_IDLE = 60  # seconds of silence before the first probe
KEEPALIVE_INTERVAL = 30  # between probes
KEEPALIVE_COUNT = 4  # unanswered probes before the connection is dropped


def keepalive(client: imapclient.IMAPClient) -> None:
    """Switch TCP keepalive on for the client's socket (best effort: not every platform has every knob)."""
    sock = client.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL),
        ("TCP_KEEPCNT", KEEPALIVE_COUNT),
    ):
        option = getattr(socket, name, None)
        if option is not None:
            sock.setsockopt(socket.IPPROTO_TCP, option, value)


def needs_plain(user: str, password: str, capabilities: frozenset[str]) -> bool:
    """True when LOGIN cannot be used: a non-ASCII user or password, or LOGINDISABLED."""
    return not (user.isascii() and password.isascii()) or "LOGINDISABLED" in capabilities


def login(client: imapclient.IMAPClient, user: str, password: str) -> str:
    """Log in with LOGIN, or AUTHENTICATE PLAIN where LOGIN cannot carry it; returns the method used.

    Raises imapclient's LoginError when the server refuses the credentials.
    """
    capabilities = frozenset(_text(c).upper() for c in client.capabilities())
    if needs_plain(user, password, capabilities):
        client.plain_login(user, password)
        return "AUTHENTICATE PLAIN"
    client.login(user, password)
    return "LOGIN"


def personal_folder(client: imapclient.IMAPClient, capabilities: frozenset[str], folder: str) -> str:
    """folder in the account's personal namespace: its prefix added when the server has one."""
    if "NAMESPACE" not in capabilities or folder.upper() == "INBOX":
        return folder
    personal = client.namespace().personal
    if not personal:
        return folder
    prefix, _separator = personal[0]
    prefix = _text(prefix)
    if not prefix or folder.startswith(prefix) or folder.upper().startswith(prefix.upper()):
        return folder
    log.info("processed_target %r is %r in this server's personal namespace", folder, prefix + folder)
    return prefix + folder


def uidvalidity(client: imapclient.IMAPClient, folder: str) -> int:
    """The folder's UIDVALIDITY as the server has it now (STATUS)."""
    return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
