"""intake.mime."""
