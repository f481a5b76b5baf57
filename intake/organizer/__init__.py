"""The organizers' side: daily digests and reminders (queued in the outbox) and their schedule."""
