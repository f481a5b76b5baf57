"""What is written (pure): replies, reminders, digests, workbooks and the blank receipt form, as bytes."""
