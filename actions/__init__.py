"""Custom actions run by the Rasa SDK action server (`python -m rasa_sdk --actions actions`).

Each module holds one concern; the SDK registers every `Action` subclass it imports from here.
"""

from actions.account import ActionRunAccountTask
from actions.boutiques import ActionFindBoutique
from actions.catalogue import ActionAnswerCareQuestion, ActionAnswerProductQuestion
from actions.clarify import ActionAnswerPrivacyTopic
from actions.consent import ActionApplyChange
from actions.fallback import ActionRephraseOrHandOff
from actions.forms import ActionCancelForm
from actions.handoff import ActionHandOff
from actions.identity import ValidateVerifyIdentityForm
from actions.minors import ActionDeclareMinor
from actions.orders import ActionListOrders, ActionLookUpOrder, ValidateOrderStatusForm
from actions.preferences import ActionOptOutMarketing, ValidateOptOutForm
from actions.repairs import ActionLookUpRepair, ValidateRepairStatusForm
from actions.session import ActionSessionStart

__all__ = [
    "ActionAnswerCareQuestion",
    "ActionAnswerPrivacyTopic",
    "ActionAnswerProductQuestion",
    "ActionApplyChange",
    "ActionCancelForm",
    "ActionDeclareMinor",
    "ActionFindBoutique",
    "ActionHandOff",
    "ActionListOrders",
    "ActionLookUpOrder",
    "ActionLookUpRepair",
    "ActionOptOutMarketing",
    "ActionRephraseOrHandOff",
    "ActionRunAccountTask",
    "ActionSessionStart",
    "ValidateOptOutForm",
    "ValidateOrderStatusForm",
    "ValidateRepairStatusForm",
    "ValidateVerifyIdentityForm",
]
