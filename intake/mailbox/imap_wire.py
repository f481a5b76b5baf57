"""IMAP wire helpers for ImapSource (intake.mailbox.imap): response decoding, untagged-response
housekeeping, closing a client, and turning socket / TLS / imaplib / imapclient errors into
MailboxError (mailbox, operation, detail) with the password scrubbed out of the detail."""

from __future__ import annotations

import contextlib
import imaplib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

import imapclient
from imapclient import exceptions as imap_exceptions

from intake.errors import MailboxError, MailboxRefused, MailboxTimeout


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _aware(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _texts(value: object) -> tuple[str, ...]:
    """A parenthesised list of the response (FLAGS, PERMANENTFLAGS) as text; () when it is not one."""
    if isinstance(value, (tuple, list)):
        return tuple(_text(item) for item in value)
    return ()


def _reports_new(responses: Sequence[object]) -> bool:
    return any(isinstance(r, tuple) and len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _is_bye(response: object) -> bool:
    return isinstance(response, tuple) and bool(response) and response[0] == b"BYE"


def _drain_untagged(client: imapclient.IMAPClient) -> None:
    """Drop the unsolicited responses imaplib keeps forever (EXISTS, FETCH, ...).

    imaplib appends every untagged response it has no taker for to a dict of lists; on a
    connection that lives for weeks that grows without bound.
    """
    untagged = getattr(getattr(client, "_imap", None), "untagged_responses", None)
    if isinstance(untagged, dict):
        for key in ("EXISTS", "RECENT", "EXPUNGE", "FETCH", "VANISHED", "OK"):
            untagged.pop(key, None)


def _close_client(client: imapclient.IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


def _scrub(exc: BaseException, password: str) -> str:
    """The error's text with the password (when there is one) replaced by ***."""
    text = str(exc)
    if password:
        text = text.replace(password, "***")
    return text


@contextlib.contextmanager
def _errors(
    name: str, operation: str, host: str, port: int, timeout: float, password: str, drop: Callable[[], None]
) -> Iterator[None]:
    """Turn socket / TLS / imaplib / imapclient errors into MailboxError for mailbox ``name``.

    ``drop`` forgets the connection; it is called for every error after which the
    connection is no longer usable (not for a NO or BAD answer).
    """
    try:
        yield
    except MailboxError:
        # raised by ImapSource for a broken connection (BYE / EOF during IDLE, ...)
        drop()
        raise
    except TimeoutError as exc:  # socket.timeout is TimeoutError
        drop()
        raise MailboxTimeout(name, operation, f"{host}:{port} did not answer within {timeout:g}s") from exc
    except imaplib.IMAP4.abort as exc:
        drop()
        text = _scrub(exc, password)
        lost = MailboxTimeout if "timed out" in text else MailboxError
        raise lost(name, operation, f"connection to {host}:{port} lost: {text}") from None
    except imap_exceptions.CapabilityError as exc:
        raise MailboxError(name, operation, _scrub(exc, password)) from None
    except imap_exceptions.ProtocolError as exc:
        drop()  # an answer we could not parse: the stream may be out of step
        raise MailboxError(name, operation, f"protocol error: {_scrub(exc, password)}") from None
    except imaplib.IMAP4.error as exc:
        # A NO or BAD answer: the connection itself is fine and stays open (a refused
        # keyword STORE must not cost a reconnect).
        raise MailboxRefused(name, operation, _scrub(exc, password)) from None
    except (OSError, EOFError, ValueError) as exc:
        # OSError covers ssl.SSLError, refused connections, resets, DNS failures.
        drop()
        raise MailboxError(
            name, operation, f"{host}:{port}: {type(exc).__name__}: {_scrub(exc, password)}"
        ) from exc
