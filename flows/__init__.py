"""The conversations, one module each, free of any transport's types."""

from __future__ import annotations

from assistant.engine import Flow


def all_flows() -> list[Flow]:
    """Every flow the assistant runs."""
    from flows.help import HelpFlow
    from flows.questions import QuestionsFlow

    return [HelpFlow(), QuestionsFlow()]
