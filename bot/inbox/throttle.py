"""Sign-in attempts, limited per account and per address.

Attempts are counted *before* the password is checked, so a burst of parallel guesses is
capped too, not only the ones that already failed; a successful sign-in clears the
account's count. Counts live in this gateway's memory: with several gateways behind a load
balancer each keeps its own, so the effective limit is multiplied by their number (move the
counts to Redis or the store when scaling out). A restart forgets them.

Locking on the account lets a stranger lock an agent out for a while by guessing; that is
the usual trade for stopping password guessing, and the lock lifts by itself.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

WINDOW_SECONDS = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 30
MAX_TRACKED = 10_000


@dataclass
class LoginThrottle:
    window: float = WINDOW_SECONDS
    per_account: int = PER_ACCOUNT
    per_address: int = PER_ADDRESS
    # key -> (start of its window, attempts in it)
    _counts: dict[str, tuple[float, int]] = field(default_factory=dict)

    def attempt(self, email: str, address: str, now: float | None = None) -> bool:
        """Count one attempt; False if the account or the address is over its limit."""
        now = time.monotonic() if now is None else now
        if len(self._counts) > MAX_TRACKED:
            self._forget_old(now)
        allowed = True
        for key, limit in (
            (_account(email), self.per_account),
            (f"ip:{address}", self.per_address),
        ):
            start, count = self._counts.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._counts[key] = (start, count + 1)
            allowed = allowed and count + 1 <= limit
        return allowed

    def succeeded(self, email: str) -> None:
        self._counts.pop(_account(email), None)

    def _forget_old(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}


def _account(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
