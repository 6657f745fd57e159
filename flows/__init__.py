"""The conversations, grouped by capability, free of any transport's types and of SQL."""

from __future__ import annotations

from assistant.engine import Flow
from flows.account import AccountFlow
from flows.agreements.family import AgreementFlow
from flows.agreements.staff import SIGN_NOW, AgreementStaffFlow
from flows.concerns.family import URGENT as URGENT_ACTION
from flows.concerns.family import ConcernFlow
from flows.concerns.staff import ACTIONS as CONCERN_ACTIONS
from flows.concerns.staff import ConcernStaffFlow
from flows.help import HelpFlow
from flows.live.arrange import NewSessionFlow
from flows.live.manage import SessionsFlow
from flows.live.rsvp import INVITATION_ACTIONS, LiveRsvpFlow
from flows.onboarding import OnboardingFlow
from flows.questions.family import ANSWER as ANSWER_ACTION
from flows.questions.family import QuestionsFlow
from flows.questions.staff import ACTIONS as QUESTION_ACTIONS
from flows.questions.staff import QuestionStaffFlow
from flows.staff import StaffFlow

__all__ = ["ANSWER_ACTION", "CONCERN_ACTIONS", "OUTBOX_ACTIONS", "QUESTION_ACTIONS",
           "URGENT_ACTION", "all_flows"]

# Actions on buttons of messages sent later through the outbox: each must be an entry action,
# since the conversation may have moved on by the time it is pressed (the engine checks).
OUTBOX_ACTIONS = frozenset({CONCERN_ACTIONS.acknowledge, CONCERN_ACTIONS.pass_on,
                            CONCERN_ACTIONS.resolve, SIGN_NOW, *INVITATION_ACTIONS,
                            QUESTION_ACTIONS.reply, QUESTION_ACTIONS.pass_on,
                            QUESTION_ACTIONS.elsewhere})


def all_flows() -> list[Flow]:
    """Every flow the assistant runs."""
    return [HelpFlow(), QuestionsFlow(), QuestionStaffFlow(), OnboardingFlow(), AccountFlow(),
            StaffFlow(),
            AgreementFlow(), AgreementStaffFlow(), ConcernFlow(), ConcernStaffFlow(),
            NewSessionFlow(), LiveRsvpFlow(), SessionsFlow()]
