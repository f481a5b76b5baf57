"""The mailbox edge: IMAP and maildir sources yielding raw bytes with mailbox, uid, uidvalidity, received time."""
