"""What a user agent claims to be: a browser of some engine, or a program that names itself."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def browser_family(user_agent: str | None) -> str | None:
    """The browser engine a user agent claims (``None``: not a browser).

    >>> browser_family("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    'firefox'
    >>> browser_family("Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36")
    'chromium'
    >>> browser_family("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148 Safari/604.1")
    'webkit'
    >>> browser_family("anthropic-python/0.40.0") is None
    True
    """
    if not user_agent or not user_agent.startswith("Mozilla/"):
        return None
    if "Firefox/" in user_agent:
        return "firefox"
    if "Chrome/" in user_agent or "Chromium/" in user_agent or "CriOS/" in user_agent or "Edg/" in user_agent:
        return "chromium"
    if "Safari/" in user_agent or "AppleWebKit/" in user_agent:
        return "webkit"
    return "other"
