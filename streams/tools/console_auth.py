"""Who may use the analysts' console: a users file of PBKDF2 password hashes, sessions, CSRF tokens.

The users file (``DISTILLGUARD_CONSOLE_USERS=path``) has a line per user::

    name:role:pbkdf2_sha256$iterations$salt$hash

with ``role`` ``viewer`` (read only) or ``analyst`` (may post verdicts), the salt and the hash in
hex; ``distillguard console hash-password --name N --role R`` prints such a line. Blank lines and
lines starting with ``#`` are skipped. There is no default user and no default password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("viewer", "analyst")
ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000
"""PBKDF2-HMAC-SHA256 iterations of a new hash (OWASP's 2023 figure for this algorithm)."""
SESSION_S = 12 * 3600.0
"""A session ends this long after login."""
MAX_FAILURES = 10
FAILURE_WINDOW_S = 300.0
"""A name with ``MAX_FAILURES`` wrong passwords within this many seconds may not log in until
the oldest of them is that old (online guessing is slowed to two tries a minute)."""


class UsersFileError(ValueError):
    """A users file that cannot be read or has a malformed line (the message names the line)."""


def hash_password(password: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` of ``password`` (a fresh 16-byte salt by default)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def check_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (constant-time comparison of the digests)."""
    try:
        algorithm, iterations, salt, digest = encoded.split("$")
        if algorithm != ALGORITHM:
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
        return hmac.compare_digest(got, bytes.fromhex(digest))
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    password_hash: str


def parse_users(text: str, source: str = "users file") -> dict[str, User]:
    """Users by name from the text of a users file; :class:`UsersFileError` for a bad line."""
    users: dict[str, User] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) != 3:
            raise UsersFileError(f"{source}:{n}: expected name:role:{ALGORITHM}$iterations$salt$hash")
        name, role, encoded = parts
        if not name or role not in ROLES:
            raise UsersFileError(f"{source}:{n}: a name and a role ({', '.join(ROLES)}) are needed")
        fields = encoded.split("$")
        if len(fields) != 4 or fields[0] != ALGORITHM or not fields[1].isdigit():
            raise UsersFileError(f"{source}:{n}: the password hash must be {ALGORITHM}$iterations$salt$hash")
        try:
            bytes.fromhex(fields[2]), bytes.fromhex(fields[3])
        except ValueError:
            raise UsersFileError(f"{source}:{n}: salt and hash must be hex") from None
        if name in users:
            raise UsersFileError(f"{source}:{n}: user {name!r} is listed twice")
        users[name] = User(name, role, encoded)
    return users


def load_users(path: str) -> dict[str, User]:
    """Read a users file; :class:`UsersFileError` when it is absent, unreadable, malformed or empty."""
    if not path:
        raise UsersFileError(
            "DISTILLGUARD_CONSOLE_USERS is not set: give a users file "
            "(lines from 'distillguard console hash-password --name N --role analyst')"
        )
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise UsersFileError(f"cannot read the users file {path}: {err.strerror}") from None
    users = parse_users(text, path)
    if not users:
        raise UsersFileError(f"the users file {path} lists no user")
    return users


@dataclass(slots=True)
class Session:
    user: str
    role: str
    csrf: str
    expires: float

    @property
    def may_judge(self) -> bool:
        """Whether the user may post verdicts."""
        return self.role == "analyst"


@dataclass
class Sessions:
    """Logged-in sessions by their random token (in memory: a restart logs everyone out)."""

    users: dict[str, User]
    by_token: dict[str, Session] = field(default_factory=dict)
    lifetime_s: float = SESSION_S
    failures: dict[str, list[float]] = field(default_factory=dict)

    def locked(self, name: str, now: float | None = None) -> bool:
        """Whether ``name`` has had too many wrong passwords lately to try again now."""
        now = time.time() if now is None else now
        recent = [t for t in self.failures.get(name, []) if t > now - FAILURE_WINDOW_S]
        if recent:
            self.failures[name] = recent
        else:
            self.failures.pop(name, None)
        return len(recent) >= MAX_FAILURES

    def login(self, name: str, password: str, now: float | None = None) -> tuple[str, Session] | None:
        """A new session's ``(token, session)`` when the password is right, else ``None`` (also
        while the name is :meth:`locked`)."""
        now = time.time() if now is None else now
        if self.locked(name, now):
            return None
        user = self.users.get(name)
        # An unknown name costs a hash too (against another user's; never a success), so the
        # time taken does not tell which names exist.
        other = user or next(iter(self.users.values()), None)
        ok = other is not None and check_password(password, other.password_hash)
        if user is None or not ok:
            if len(self.failures) < 10_000 or name in self.failures:
                self.failures.setdefault(name, []).append(now)
            return None
        self.failures.pop(name, None)
        self._expire(now)
        token = secrets.token_urlsafe(32)
        s = Session(user.name, user.role, secrets.token_urlsafe(32), now + self.lifetime_s)
        self.by_token[token] = s
        return token, s

    def get(self, token: str | None, now: float | None = None) -> Session | None:
        """The session of a cookie's token, unless unknown or expired."""
        if not token:
            return None
        s = self.by_token.get(token)
        if s is None:
            return None
        if s.expires <= (time.time() if now is None else now):
            del self.by_token[token]
            return None
        return s

    def logout(self, token: str | None) -> None:
        """End a session."""
        if token:
            self.by_token.pop(token, None)

    def _expire(self, now: float) -> None:
        for t in [t for t, s in self.by_token.items() if s.expires <= now]:
            del self.by_token[t]


def csrf_ok(session: Session, token: str) -> bool:
    """Whether a form's CSRF token is the session's (constant-time)."""
    return hmac.compare_digest(session.csrf.encode(), token.encode())
