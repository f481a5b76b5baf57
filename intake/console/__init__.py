"""The organizers' desk: a web console served by the daemon (docs/console.md)."""
