"""Custom actions run by the Rasa SDK action server (`python -m rasa_sdk --actions actions`).

Each module holds one concern; the SDK registers every `Action` subclass it imports from here.
"""

from actions.fallback import ActionRephraseOrHandOff
from actions.handoff import ActionHandOff

__all__ = ["ActionHandOff", "ActionRephraseOrHandOff"]
