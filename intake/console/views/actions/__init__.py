"""The console's actions: each a POST with its CSRF token and a reason, planned, previewed, confirmed."""
