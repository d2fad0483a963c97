"""Sign-in failures, limited per account and per address.

Only failures count (issue 17, item 9): a team of thirty signing in from behind one office
proxy must not lock itself out, while a guesser still stops after a few wrong passwords.
An attempt in flight holds a place until its outcome is known, so a burst of parallel
guesses is capped too, not only the ones that already failed. A success clears the
account's failures (not the address's: one valid account must not reset a guesser's count
from there); an attempt that ended in an error counts as neither.

The address is the client's as bot/gateway/clients.py reads it: X-Forwarded-For only from
a proxy in TRUSTED_PROXIES, so a guesser cannot pick a fresh address per request.

Counts live in this gateway's memory: with several gateways behind a load balancer each
keeps its own, so the effective limit is multiplied by their number (move the counts to
Redis or the store when scaling out). A restart forgets them. Locking on the account lets a
stranger lock an agent out for a while by guessing; that is the usual trade for stopping
password guessing, and the lock lifts by itself.
"""

from __future__ import annotations

import enum
import hashlib
import time
from dataclasses import dataclass, field

WINDOW_SECONDS = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 30
MAX_TRACKED = 10_000


class Outcome(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ERROR = "error"  # neither: the attempt could not be judged (the store was down)


@dataclass
class _Count:
    start: float
    failures: int = 0
    in_flight: int = 0


@dataclass
class LoginThrottle:
    window: float = WINDOW_SECONDS
    per_account: int = PER_ACCOUNT
    per_address: int = PER_ADDRESS
    _counts: dict[str, _Count] = field(default_factory=dict)

    def attempt(self, email: str, address: str, now: float | None = None) -> bool:
        """May this attempt go ahead? If so it holds a place until `finished` is called."""
        now = time.monotonic() if now is None else now
        if len(self._counts) > MAX_TRACKED:
            self._forget_old(now)
        counts = [(self._current(key, now), limit) for key, limit in self._keys(email, address)]
        if any(count.failures + count.in_flight >= limit for count, limit in counts):
            return False
        for count, _ in counts:
            count.in_flight += 1
        return True

    def finished(
        self, email: str, address: str, outcome: Outcome, now: float | None = None
    ) -> None:
        now = time.monotonic() if now is None else now
        for key, _ in self._keys(email, address):
            count = self._current(key, now)
            count.in_flight = max(0, count.in_flight - 1)
            if outcome is Outcome.FAILED:
                count.failures += 1
        if outcome is Outcome.SUCCEEDED:
            self._counts.pop(_account(email), None)

    def _keys(self, email: str, address: str) -> list[tuple[str, int]]:
        return [(_account(email), self.per_account), (f"ip:{address}", self.per_address)]

    def _current(self, key: str, now: float) -> _Count:
        count = self._counts.get(key)
        if count is None or now - count.start >= self.window:
            # A new window; attempts still in flight keep their places.
            count = _Count(now, in_flight=count.in_flight if count else 0)
            self._counts[key] = count
        return count

    def _forget_old(self, now: float) -> None:
        self._counts = {
            k: v for k, v in self._counts.items() if v.in_flight or now - v.start < self.window
        }


def _account(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
