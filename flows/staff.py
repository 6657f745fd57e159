"""Staff tools that need no other capability: which families have linked."""

from __future__ import annotations

from sqlmodel import col, select

from assistant.engine import Context, Outcome, State
from assistant.events import Event, Reply
from assistant.models import Guardian, GuardianPupil, Pupil, SchoolClass
from assistant.people.identity import StaffLink, identity_of

WHOLE_SCHOOL_ROLES = ("head", "office", "dsl", "deputy-dsl")


def staff_post(ctx: Context) -> StaffLink | None:
    """The user's staff post at the school they are talking to, if any."""
    assert ctx.account.id is not None
    return identity_of(ctx.session, ctx.account.id).staff_at(ctx.school.id)


def not_staff_reply(ctx: Context) -> Reply:
    """The answer to a family member who tries a staff command."""
    return Reply(ctx._("Sorry, that's only for school staff. Send /help to see what I can do."))


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
            return Outcome([not_staff_reply(ctx)])
        classes = None if post.has(*WHOLE_SCHOOL_ROLES) else post.classes()
        query = (
            select(SchoolClass.code, Pupil.forename, Pupil.surname, Guardian.account_id)
            .join(Pupil, col(Pupil.class_id) == col(SchoolClass.id))
            .join(GuardianPupil, col(GuardianPupil.pupil_id) == col(Pupil.id), isouter=True)
            .join(Guardian, col(Guardian.id) == col(GuardianPupil.guardian_id), isouter=True)
            .where(SchoolClass.school_id == ctx.school.id, col(Pupil.left_at).is_(None))
            .order_by(col(SchoolClass.code), col(Pupil.surname), col(Pupil.forename))
        )
        if classes is not None:
            query = query.where(col(SchoolClass.code).in_(classes))
        linked: dict[str, dict[str, bool]] = {}
        for code, forename, surname, account_id in ctx.session.exec(query):
            pupils = linked.setdefault(code, {})
            name = f"{forename} {surname}"
            pupils[name] = pupils.get(name, False) or account_id is not None
        if not linked:
            return Outcome([Reply(_("There are no pupils on the roster for your classes yet."))])
        lines = []
        for code, pupils in linked.items():
            waiting = [name for name, done in pupils.items() if not done]
            lines.append(_("{code}: {linked} of {total} families linked.").format(
                code=code, linked=len(pupils) - len(waiting), total=len(pupils)))
            if waiting:
                lines.append(_("  Not yet: {names}").format(names=", ".join(waiting)))
        return Outcome([Reply("\n".join(lines))])
