"""intake.mailbox."""
