"""The conversations, one module each, free of any transport's types."""

from __future__ import annotations

from assistant.engine import Flow


def all_flows() -> list[Flow]:
    """Every flow the assistant runs."""
    from flows.account import AccountFlow
    from flows.agreement import AgreementFlow
    from flows.agreement_staff import AgreementStaffFlow
    from flows.concern import ConcernFlow
    from flows.concern_staff import ConcernStaffFlow
    from flows.help import HelpFlow
    from flows.live_manage import SessionsFlow
    from flows.live_rsvp import LiveRsvpFlow
    from flows.live_session import NewSessionFlow
    from flows.onboarding import OnboardingFlow
    from flows.questions import QuestionsFlow
    from flows.staff import StaffFlow

    return [HelpFlow(), QuestionsFlow(), OnboardingFlow(), AccountFlow(), StaffFlow(),
            AgreementFlow(), AgreementStaffFlow(), ConcernFlow(), ConcernStaffFlow(),
            NewSessionFlow(), LiveRsvpFlow(), SessionsFlow()]
