"""Which notifications a user also receives by e-mail, per kind: immediately, in a daily digest, or not at all.

In-app notifications always stay; only the e-mail copy is chosen here. A kind is choosable only when it is listed
in CHOOSABLE_KINDS: every other mail (e-mail confirmation, password reset, invitations, and any kind nobody has
classified yet) always goes out at once, so a security mail can never be switched off.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import EmailPreference, Role, User
from marketplace.services.errors import DomainError

IMMEDIATE = "immediate"
DIGEST = "digest"
OFF = "off"
MODES = (IMMEDIATE, DIGEST, OFF)
MODE_LABELS = {
    IMMEDIATE: _l("Immediately"),
    DIGEST: _l("In the daily digest"),
    OFF: _l("Not by e-mail"),
}

# kind -> (what the choice is about, the roles that receive it). The order is the order on the page.
CHOOSABLE_KINDS: dict[str, tuple] = {
    "application_shortlisted": (_l("You were shortlisted"), {Role.STUDENT}),
    "offer_made": (_l("You received an offer"), {Role.STUDENT}),
    "application_rejected": (_l("Your application was not successful"), {Role.STUDENT}),
    "opening_terms_changed": (_l("A company changed the terms of an opening you applied to"), {Role.STUDENT}),
    "placement_approved": (_l("A placement was approved"), {Role.STUDENT, Role.COMPANY_MANAGER}),
    "placement_returned": (_l("A placement was returned"), {Role.STUDENT, Role.COMPANY_MANAGER}),
    "placement_cancelled": (_l("A placement was cancelled"), {Role.STUDENT, Role.COMPANY_MANAGER}),
    "placement_completed": (_l("A practice was completed"), {Role.STUDENT, Role.COMPANY_MANAGER}),
    "placement_not_completed": (_l("A practice was closed as not completed"), {Role.STUDENT, Role.COMPANY_MANAGER}),
    "certificate_issued": (_l("Your certificate of completion is ready"), {Role.STUDENT}),
    "certificate_revoked": (_l("Your certificate of completion was revoked"), {Role.STUDENT}),
    "agreement_voided": (_l("A practice agreement changed and must be acknowledged again"),
                         {Role.STUDENT, Role.COMPANY_MANAGER, Role.EXCHANGE_MANAGER, Role.MENTOR}),
    "round_published": (_l("Results of a matching round"), {Role.STUDENT, Role.COMPANY_MANAGER}),
    "practice_week_confirmed": (_l("A week of your practice log was confirmed"), {Role.STUDENT}),
    "practice_week_returned": (_l("A week of your practice log was returned"), {Role.STUDENT}),
    "practice_week_late": (_l("A week of your practice log is late"), {Role.STUDENT}),
    "practice_week_submitted": (_l("A student submitted a week of their practice log"), {Role.COMPANY_MANAGER}),
    "practice_confirmation_late": (_l("A practice log week waits for your confirmation"), {Role.COMPANY_MANAGER}),
    "new_applicant": (_l("A new applicant"), {Role.COMPANY_MANAGER}),
    "offer_accepted": (_l("An offer was accepted"), {Role.COMPANY_MANAGER}),
    "offer_declined": (_l("An offer was declined"), {Role.COMPANY_MANAGER}),
    "application_withdrawn": (_l("An application was withdrawn"), {Role.COMPANY_MANAGER}),
    "company_approved": (_l("Your company was approved"), {Role.COMPANY_MANAGER}),
    "company_rejected": (_l("Your company was not approved"), {Role.COMPANY_MANAGER}),
    "company_changes_approved": (_l("Changes to your company were approved"), {Role.COMPANY_MANAGER}),
    "company_changes_declined": (_l("Changes to your company were not approved"), {Role.COMPANY_MANAGER}),
    "membership_requested": (_l("Someone asks to join your company"), {Role.COMPANY_MANAGER}),
    "membership_accepted": (_l("You were accepted as a company manager"), {Role.COMPANY_MANAGER}),
    "opening_published": (_l("Your opening was published"), {Role.COMPANY_MANAGER}),
    "opening_returned": (_l("Your opening was returned"), {Role.COMPANY_MANAGER}),
    "company_submitted": (_l("A company asks to become a partner"), {Role.EXCHANGE_MANAGER}),
    "company_changes_submitted": (_l("A company asks to change its details"), {Role.EXCHANGE_MANAGER}),
    "opening_submitted": (_l("An opening waits for review"), {Role.EXCHANGE_MANAGER}),
    "opening_terms_changed_reviewer": (_l("A company changed an opening's terms after students applied"),
                                       {Role.EXCHANGE_MANAGER}),
    "placement_requested": (_l("A placement waits for approval"), {Role.EXCHANGE_MANAGER}),
    "mentor_assigned": (_l("You became a student's mentor"), {Role.MENTOR}),
    "mentor_assigned_student": (_l("Your mentor professor was assigned"), {Role.STUDENT}),
    # The forum: every role reads a board (new roles too: set(Role) is taken when this module loads).
    "forum_reply": (_l("Someone replied to your forum thread"), set(Role)),
    "forum_answer_accepted": (_l("Your forum reply was marked as the answer"), set(Role)),
    "forum_announcement": (_l("A new announcement on a forum board you read"), set(Role)),
    "contest_team_invitation": (_l("You are invited to a contest team"), {Role.STUDENT}),
    "contest_team_joined": (_l("Someone joined your contest team"), {Role.STUDENT}),
    "contest_opening_invite": (_l("A company invites you to apply after a contest"), {Role.STUDENT}),
    "contest_results": (_l("A contest's results are published"),
                        {Role.STUDENT, Role.COMPANY_MANAGER, Role.EXCHANGE_MANAGER, Role.MENTOR}),
    "contest_problem_accepted": (_l("Your contest problem was accepted"), {Role.COMPANY_MANAGER}),
    "contest_problem_returned": (_l("Your contest problem was returned"), {Role.COMPANY_MANAGER}),
    "contest_problem_proposed": (_l("A company proposed a contest problem"), {Role.EXCHANGE_MANAGER}),
    "contest_judge_invited": (_l("You are invited to judge a contest"),
                              {Role.COMPANY_MANAGER, Role.EXCHANGE_MANAGER, Role.MENTOR}),
    "contest_judging_assigned": (_l("Contest submissions were assigned to you to judge"),
                                 {Role.COMPANY_MANAGER, Role.EXCHANGE_MANAGER, Role.MENTOR}),
}

# Notification kinds that are never choosable: their mail always goes out at once. Mails that are not
# notifications at all (confirmation, reset and invitation links, queued with notifications.queue_email) are
# never looked up here either. Every kind of notifications.MESSAGES is in exactly one of the two (a test checks).
# The outcome of a student's verification decides whether they can apply at all: never switched off.
ALWAYS_SENT: frozenset[str] = frozenset({"student_verified", "student_declined"})


def kinds_for(user: User) -> list[str]:
    """The choosable kinds this user's role can receive, in page order."""
    return [kind for kind, (_label, roles) in CHOOSABLE_KINDS.items() if user.role in roles]


def mode_for(user: User, kind: str) -> str:
    """How `user` receives `kind` by e-mail. Unchoosable kinds (security mails) are always immediate."""
    if kind not in CHOOSABLE_KINDS:
        return IMMEDIATE
    mode = db.session.scalar(select(EmailPreference.mode)
                             .where(EmailPreference.user_id == user.id, EmailPreference.kind == kind))
    return mode if mode in MODES else IMMEDIATE


def modes_for(users: list[User], kind: str) -> dict[int, str]:
    """user id -> how that user receives `kind` by e-mail, for many users in one query."""
    ids = [user.id for user in users]
    if kind not in CHOOSABLE_KINDS:
        return dict.fromkeys(ids, IMMEDIATE)
    stored = {}
    for start in range(0, len(ids), 900):  # SQLite takes at most 999 parameters per statement
        stored.update(db.session.execute(select(EmailPreference.user_id, EmailPreference.mode).where(
            EmailPreference.kind == kind, EmailPreference.user_id.in_(ids[start:start + 900]))).all())
    return {user_id: stored.get(user_id) if stored.get(user_id) in MODES else IMMEDIATE for user_id in ids}


def preferences(user: User) -> dict[str, str]:
    """kind -> mode for every kind this user can choose (defaults filled in)."""
    stored = dict(db.session.execute(select(EmailPreference.kind, EmailPreference.mode)
                                     .where(EmailPreference.user_id == user.id)).all())
    return {kind: stored.get(kind) if stored.get(kind) in MODES else IMMEDIATE for kind in kinds_for(user)}


def set_preferences(user: User, choices: dict[str, str]) -> dict[str, str]:
    """Store `user`'s choices (kind -> mode). Kinds the user cannot choose, and unknown modes, are refused with
    one error naming the field; the default (immediate) is stored as no row."""
    allowed = set(kinds_for(user))
    bad = sorted(kind for kind, mode in choices.items() if kind not in allowed or mode not in MODES)
    if bad:
        raise DomainError(str(_l("Choose one of the offered options.")), field=f"mode_{bad[0]}")
    db.session.execute(delete(EmailPreference).where(EmailPreference.user_id == user.id,
                                                     EmailPreference.kind.in_(list(choices))))
    for kind, mode in choices.items():
        if mode != IMMEDIATE:
            db.session.add(EmailPreference(user_id=user.id, kind=kind, mode=mode))
    db.session.flush()
    return preferences(user)
