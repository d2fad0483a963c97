"""Fixtures of the action tests: the account actions' runtime on a real store."""

from tests.actions.account_support import account, turn

__all__ = ["account", "turn"]
