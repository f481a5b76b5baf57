"""Passwords of console accounts: Argon2id hashes, the rules a new password must meet, one-time passwords.

Following NIST SP 800-63B: at least 8 characters, no composition rules (no "one digit and one
capital"), any character allowed, and a password on a list of common ones refused.  The list is the
30,000 most common passwords that the zxcvbn package ships (MIT licence; from leaked password
corpora), plus the words of this service (its name, the user's own name).  Hashes are Argon2id
(argon2-cffi's defaults, RFC 9106's low-memory profile), checked in constant time, and re-hashed at
login when the parameters change.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 256  # Argon2 takes any length; a bound keeps a login request cheap
OWN_WORDS = ("intake", "baoming", "password", "console", "huiwu", "huiwuzu")
_hasher = PasswordHasher()


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list (lower case), loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415 - 30,000 words, loaded on first use

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, user: str = "") -> str:
    """Why the password may not be used, in Chinese; "" when it may."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符。"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符。"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) < 3:
        return "这个密码太常见，很容易被猜到，请换一个。"
    if any(word and word in lowered for word in (*OWN_WORDS, user.lower())) and len(password) < 16:
        return "密码不能以用户名或本系统的名称为主，请换一个。"
    return ""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash (constant time); a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def dummy_verify(password: str) -> None:
    """Spend the time a real check takes (an unknown user costs as much as a wrong password)."""
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def one_time_password() -> str:
    """A random password to hand over once (about 95 bits), easy to read aloud: groups of 4."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    word = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(word[i : i + 4] for i in range(0, 20, 4))
