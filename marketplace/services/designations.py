"""Designating long-tenure staff as exchange managers, moving their queues to other groups, revoking them."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import Designation, ProjectGroup, Role, User
from marketplace.models.base import utcnow
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, invitations
from marketplace.services.accounts import create_user, find_user_by_email, normalize_email
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.workflow import compare_and_set


def minimum_tenure() -> int:
    return int(current_app.config.get("MIN_MANAGER_TENURE_YEARS", 10))


def designations_query(include_revoked: bool = True) -> Select:
    query = select(Designation).options(
        selectinload(Designation.user), selectinload(Designation.designated_by), selectinload(Designation.revoked_by)
    )
    if not include_revoked:
        query = query.where(Designation.revoked_at.is_(None))
    return query.order_by(Designation.revoked_at.is_not(None), Designation.designated_at.desc())


def designate(
    actor: User,
    email: str,
    tenure_years: int | None,
    group_ids: list[int],
    display_name: str = "",
    initial_password: str = "",
    password_is_temporary: bool = True,
) -> Designation:
    """Designate the account with `email` (created as staff if new) as exchange manager for groups."""
    minimum = minimum_tenure()
    if tenure_years is None or tenure_years < minimum:
        raise DomainError(
            str(_l("Exchange managers need at least %(n)d years of tenure.", n=minimum)), field="tenure_years"
        )
    if tenure_years > 60:
        raise DomainError(str(_l("Enter the tenure in years (at most 60).")), field="tenure_years")
    groups = list(db.session.scalars(select(ProjectGroup).where(ProjectGroup.id.in_(group_ids or [])))) \
        if group_ids else []
    if not groups or len(groups) != len(set(group_ids)):
        raise DomainError(str(_l("Choose at least one of the listed project groups.")), field="group_ids")

    email = normalize_email(email)
    user = find_user_by_email(email)
    invite = False
    if user is None:
        if not display_name.strip():
            raise DomainError(str(_l("Enter the new manager's name.")), field="display_name")
        if not initial_password:
            # The usual way: the new manager chooses their own password through a mailed invitation.
            user = invitations.create_invited_account(actor, email, display_name, Role.EXCHANGE_MANAGER)
            invite = True
        else:
            try:
                user = create_user(email, initial_password, display_name, Role.EXCHANGE_MANAGER, actor,
                                   temporary=password_is_temporary)
            except DomainError as error:
                if error.field == "password":
                    error.field = "initial_password"
                raise
    elif user.role not in (Role.EXCHANGE_MANAGER,):
        raise DomainError(
            str(_l("This account belongs to a %(role)s and cannot be designated.", role=label(user.role))),
            field="email",
        )
    if user.active_designation is not None:
        raise Conflict(str(_l("This person is already a designated exchange manager.")), field="email")

    designation = Designation(
        user=user, tenure_years=tenure_years, designated_by_id=actor.id, designated_at=utcnow(), groups=groups
    )
    db.session.add(designation)
    db.session.flush()
    note = ", ".join(g.code for g in groups) + f"; {tenure_years}y"
    audit.record(actor, "designation", designation.id, "designated", None, "active", note)
    if invite or invitations.awaiting_first_password(user):
        invitations.send_invitation(actor, user, invitations.invitation_sentence(
            "exchange_manager", groups=", ".join(g.code for g in groups)))
    return designation


def get_designation(designation_id: int) -> Designation:
    designation = db.session.get(Designation, designation_id)
    if designation is None:
        raise NotFound(str(_l("No such designation.")))
    return designation


def revoke(actor: User, designation: Designation, reason: str = "") -> Designation:
    if designation.revoked_at is not None:
        raise Conflict(str(_l("This designation was already revoked.")))
    # Conditional on "still active": of two admins revoking at once, one does it and is audited.
    if not compare_and_set(designation, "revoked_at", None, utcnow(), revoked_by_id=actor.id,
                           revoke_reason=reason.strip()):
        raise Conflict(str(_l("This designation was already revoked.")))
    audit.record(actor, "designation", designation.id, "revoked", "active", "revoked", reason.strip())
    return designation


def reassign_groups(actor: User, designation: Designation, group_ids: list[int]) -> Designation:
    """The admin changes the project groups a designation serves (its queues move with it)."""
    if not user_can(actor, Permission.ADMINISTER):
        raise NotFound(str(_l("No such designation.")))
    if designation.revoked_at is not None:
        raise Conflict(str(_l("This designation was revoked; designate the person again instead.")))
    wanted = {g for g in group_ids or [] if g is not None}
    groups = list(db.session.scalars(select(ProjectGroup).where(ProjectGroup.id.in_(wanted)))) if wanted else []
    if not groups or len(groups) != len(wanted):
        raise DomainError(str(_l("Choose at least one of the listed project groups.")), field="group_ids")
    before = ", ".join(g.code for g in designation.groups)
    designation.groups = sorted(groups, key=lambda g: g.code)
    after = ", ".join(g.code for g in designation.groups)
    if before != after:
        audit.record(actor, "designation", designation.id, "groups_changed", "active", "active", f"{before} → {after}")
    return designation
