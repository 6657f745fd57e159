"""Staff tools that need no other capability: which families have linked."""

from __future__ import annotations

from assistant.engine import Context, Outcome, State
from assistant.events import Event, Reply
from assistant.flowkit import staff_only
from assistant.models import Staff
from assistant.people.families import families_linked
from assistant.people.identity import StaffLink, identity_of

WHOLE_SCHOOL_ROLES = ("head", "office", "dsl", "deputy-dsl")


def staff_posts(ctx: Context) -> list[StaffLink]:
    """Every staff post the user holds, at every school of the install (one person can work
    at two schools of a trust)."""
    assert ctx.account.id is not None
    return list(identity_of(ctx.session, ctx.account.id).staff)


def post_at(members: list[Staff], school_id: str | None) -> Staff:
    """Of one person's staff posts, the one at the school an item belongs to (the first post
    where the item is unknown)."""
    return next((m for m in members if m.school_id == school_id), members[0])


def staff_post(ctx: Context) -> StaffLink | None:
    """The user's staff post at the school they are talking to, if any."""
    assert ctx.account.id is not None
    return identity_of(ctx.session, ctx.account.id).staff_at(ctx.school.id)


class StaffFlow:
    """Shows a teacher their class's families, and leaders the whole school."""

    name = "staff"
    commands = frozenset({"families"})
    entry_actions = frozenset({"staff.families"})

    def handle(self, ctx: Context, event: Event, state: State | None) -> Outcome:
        """Lists, class by class, how many families have linked and who has not."""
        _ = ctx._
        post = staff_post(ctx)
        if post is None:
            return Outcome([staff_only(_)])
        classes = None if post.has(*WHOLE_SCHOOL_ROLES) else post.classes()
        linked = families_linked(session=ctx.session, school_id=ctx.school.id,
                                 classes=classes)
        if not linked:
            return Outcome([Reply(_("There are no pupils on the roster for your classes yet."))])
        lines = []
        for found in linked:
            waiting = [name for name, done in found.pupils.items() if not done]
            lines.append(_("{code}: {linked} of {total} families linked.").format(
                code=found.code, linked=len(found.pupils) - len(waiting),
                total=len(found.pupils)))
            if waiting:
                lines.append(_("  Not yet: {names}").format(names=", ".join(waiting)))
        return Outcome([Reply("\n".join(lines))])
