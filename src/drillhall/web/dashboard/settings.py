"""How the dashboard is exposed: the address it binds and the credentials it asks for.

Bound to a loopback address the dashboard may be open (only the local user reaches it);
bound anywhere else it must ask for an access token or for basic-auth credentials, and
:meth:`DashboardSettings.check` refuses to start it otherwise. Credentials come from
environment variables named on the command line (never from the command line itself, where
``ps`` would show them).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from dataclasses import dataclass, field

from drillhall.core.config import Config
from drillhall.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8008
MIN_TOKEN_LENGTH = 16
"""Shortest access token accepted: a guessable token is no protection off-loopback."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets (of any lengths: their digests are compared)."""
    return hmac.compare_digest(_digest(given), _digest(expected))


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    """One user name and password for HTTP basic authentication."""

    user: str
    password: str = field(repr=False)

    def matches(self, user: str, password: str) -> bool:
        """Both parts compared in constant time (both always compared)."""
        ok_user = same_secret(user, self.user)
        ok_password = same_secret(password, self.password)
        return ok_user and ok_password


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    """Everything the dashboard app needs besides the store.

    ``host`` is the address the server binds (it decides whether credentials are required);
    ``token`` is the access token (bearer header or the login form); ``basic`` the basic-auth
    credentials; ``config`` the loaded drillhall.toml (its ``[governance]`` table feeds the
    governance page); ``page_size`` the findings per page; ``refresh_seconds`` how often the
    Chaos Day board reloads its log.
    """

    host: str = DEFAULT_HOST
    token: str | None = field(default=None, repr=False)
    basic: BasicCredentials | None = field(default=None, repr=False)
    config: Config | None = None
    page_size: int = 50
    refresh_seconds: int = 10

    @property
    def auth_required(self) -> bool:
        """Whether requests must authenticate: when credentials are configured at all."""
        return self.token is not None or self.basic is not None

    def check(self) -> None:
        """Refuse an off-loopback address without credentials, and a short token."""
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise ConfigError(f"the dashboard access token is {len(self.token)} characters "
                              f"long; use at least {MIN_TOKEN_LENGTH} random characters")
        if not is_loopback(self.host) and not self.auth_required:
            raise ConfigError(f"refusing to serve the dashboard on {self.host}, which is not "
                              "a loopback address, without an access token (--token-env VAR) "
                              "or basic auth (--basic-auth-env VAR)")


def credentials_from_env(token_env: str | None, basic_auth_env: str | None,
                         environ: dict[str, str] | None = None
                         ) -> tuple[str | None, BasicCredentials | None]:
    """The token and basic credentials held by the named environment variables."""
    env = dict(os.environ) if environ is None else environ
    token = basic = None
    if token_env is not None:
        token = env.get(token_env, "").strip()
        if not token:
            raise ConfigError(f"--token-env: environment variable {token_env} is not set or "
                              "is empty")
    if basic_auth_env is not None:
        value = env.get(basic_auth_env, "")
        user, sep, password = value.partition(":")
        if not sep or not user.strip() or not password:
            raise ConfigError(f"--basic-auth-env: environment variable {basic_auth_env} must "
                              "hold user:password")
        basic = BasicCredentials(user.strip(), password)
    return token, basic
