"""The conversations, one module each, free of any transport's types."""

from __future__ import annotations

from assistant.engine import Flow


def all_flows() -> list[Flow]:
    """Every flow the assistant runs."""
    from flows.account import AccountFlow
    from flows.agreements.family import AgreementFlow
    from flows.agreements.staff import AgreementStaffFlow
    from flows.concerns.family import ConcernFlow
    from flows.concerns.staff import ConcernStaffFlow
    from flows.help import HelpFlow
    from flows.live.arrange import NewSessionFlow
    from flows.live.manage import SessionsFlow
    from flows.live.rsvp import LiveRsvpFlow
    from flows.onboarding import OnboardingFlow
    from flows.questions import QuestionsFlow
    from flows.staff import StaffFlow

    return [HelpFlow(), QuestionsFlow(), OnboardingFlow(), AccountFlow(), StaffFlow(),
            AgreementFlow(), AgreementStaffFlow(), ConcernFlow(), ConcernStaffFlow(),
            NewSessionFlow(), LiveRsvpFlow(), SessionsFlow()]
