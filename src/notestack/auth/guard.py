"""Brute-force brakes on signing in and signing up (ASVS V2.2), shared by every instance.

- Per client address: every sign-in attempt counts (``NOTESTACK_THROTTLE_LOGIN_IP``), and every
  sign-up attempt (``NOTESTACK_THROTTLE_SIGNUP_IP``).
- Per account: failed sign-ins count (``NOTESTACK_THROTTLE_LOGIN_ACCOUNT``, several windows, so
  the wait grows: 5 failures in 15 minutes, then 10 in an hour, then 20 in a day). A success
  clears them. The key is the normalized email, whether or not such an account exists, and the
  refusal reads the same either way: a throttled account reveals nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from notestack.core.errors import TooManyRequests
from notestack.core.settings import Settings
from notestack.core.throttle import Rates, Throttle, rates

TOO_MANY_SIGN_INS = "Too many sign-in attempts; try again in {seconds} s"
TOO_MANY_SIGN_UPS = "Too many accounts created from this address; try again in {seconds} s"


def _account_key(email: str) -> str:
    """Emails are not kept in Redis in the clear."""
    return hashlib.blake2b(email.encode(), digest_size=16).hexdigest()


@dataclass
class SignInGuard:
    throttle: Throttle
    login_ip: Rates
    login_account: Rates
    signup_ip: Rates

    @classmethod
    def from_settings(cls, settings: Settings, throttle: Throttle) -> SignInGuard:
        return cls(
            throttle,
            rates(settings.throttle_login_ip),
            rates(settings.throttle_login_account),
            rates(settings.throttle_signup_ip),
        )

    async def before_login(self, client: str, email: str) -> None:
        wait = await self.throttle.hit(self.login_ip, "login-ip", client)
        if wait is None:
            wait = await self.throttle.retry_after(
                self.login_account, "login-account", _account_key(email)
            )
        if wait is not None:
            raise TooManyRequests(TOO_MANY_SIGN_INS.format(seconds=wait), retry_after=wait)

    async def login_failed(self, email: str) -> None:
        await self.throttle.hit(self.login_account, "login-account", _account_key(email))

    async def login_succeeded(self, email: str) -> None:
        await self.throttle.clear(self.login_account, "login-account", _account_key(email))

    async def before_signup(self, client: str) -> None:
        wait = await self.throttle.hit(self.signup_ip, "signup-ip", client)
        if wait is not None:
            raise TooManyRequests(TOO_MANY_SIGN_UPS.format(seconds=wait), retry_after=wait)
