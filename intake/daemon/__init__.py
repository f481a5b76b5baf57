"""The daemon: mailbox watchers, the per-message service (archive, judge, store, queue), delivery, status."""
