"""The pipeline (pure): raw bytes, mailbox and received time -> verdict; used by intake check, the daemon and the console."""
