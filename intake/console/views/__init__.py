"""The console's pages and actions, one module per page or action (as pretix and Indico split theirs)."""
