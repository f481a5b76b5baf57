"""The configured mailboxes as sources: one factory per [[mailboxes]] kind, in one table.

A new kind of source is a class implementing intake.mailbox.source.MailSource, a factory
here, a member of intake.config.choices.MailboxKind, and a row in SOURCES.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from intake.config.choices import MailboxKind
from intake.config.servers import tls_context
from intake.config.settings import Config, MailboxConfig
from intake.mailbox.imap import ImapSource
from intake.mailbox.maildir import MaildirSource
from intake.mailbox.source import MailSource

# A maildir is a local folder: polling it is cheap, so it is looked at at least this often.
MAILDIR_POLL_SECONDS = 5.0

SourceFactory = Callable[[MailboxConfig, Config], MailSource]


def imap_source(mailbox: MailboxConfig, config: Config) -> ImapSource:
    """The IMAP source of mailbox, with the password read at load and its own CA file if it names one."""
    return ImapSource(
        mailbox.host,
        mailbox.port,
        mailbox.security,
        mailbox.user,
        mailbox.password(),
        mailbox.folder,
        mailbox.name,
        processed_action=mailbox.processed_action,
        processed_target=mailbox.processed_target,
        poll_interval=config.daemon.poll_interval,
        idle_interval=config.daemon.idle_timeout,
        max_message_bytes=config.limits.max_message_bytes,
        ssl_context=tls_context(mailbox.security, mailbox.tls_ca_file),
    )


def maildir_source(mailbox: MailboxConfig, config: Config) -> MaildirSource:
    return MaildirSource(
        mailbox.path,
        mailbox.name,
        processed_action=mailbox.processed_action,
        processed_target=mailbox.processed_target,
        poll_interval=min(config.daemon.poll_interval, MAILDIR_POLL_SECONDS),
        max_message_bytes=config.limits.max_message_bytes,
    )


SOURCES: Mapping[MailboxKind, SourceFactory] = {
    MailboxKind.IMAP: imap_source,
    MailboxKind.MAILDIR: maildir_source,
}


def make_source(mailbox: MailboxConfig, config: Config) -> MailSource:
    """A new, unconnected source for the configured mailbox."""
    return SOURCES[mailbox.kind](mailbox, config)
