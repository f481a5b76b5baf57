"""Shared fixtures.  Real servers live in their own plugin modules."""

pytest_plugins = [
    "tests.fixtures.dovecot",
    "tests.fixtures.smtpd",
    "tests.fixtures.provider_smtpd",
    "tests.fixtures.cyrus",
]
