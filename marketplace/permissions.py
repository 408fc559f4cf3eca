"""Roles and permissions, declared once and used by views, queries and templates alike."""
from __future__ import annotations

import enum
from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

from marketplace.extensions import login_manager
from marketplace.models.users import Role, User


class Permission(str, enum.Enum):
    KEEP_STUDENT_PROFILE = "keep_student_profile"
    APPLY = "apply"
    MANAGE_COMPANY = "manage_company"
    REVIEW_EXCHANGES = "review_exchanges"  # approve companies, openings, placements in own groups
    ADMINISTER = "administer"  # project groups, designations, whole audit log
    MENTOR_STUDENTS = "mentor_students"  # mentor professors: their assigned students' practice, notes, grades


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STUDENT: frozenset({Permission.KEEP_STUDENT_PROFILE, Permission.APPLY}),
    Role.COMPANY_MANAGER: frozenset({Permission.MANAGE_COMPANY}),
    Role.EXCHANGE_MANAGER: frozenset({Permission.REVIEW_EXCHANGES}),
    Role.ADMIN: frozenset({Permission.ADMINISTER, Permission.REVIEW_EXCHANGES}),
    Role.MENTOR: frozenset({Permission.MENTOR_STUDENTS}),
}


def user_can(user: User | None, permission: Permission) -> bool:
    """The one predicate: views, templates and services ask this, never the role directly."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if permission not in ROLE_PERMISSIONS.get(user.role, frozenset()):
        return False
    # An exchange manager acts only while a designation is in force.
    if user.role == Role.EXCHANGE_MANAGER:
        return user.is_exchange_manager
    return True


def can_review_group(user: User | None, group_id: int) -> bool:
    """Exchange managers act within their designated groups; admins everywhere."""
    if user_can(user, Permission.ADMINISTER):
        return True
    return user_can(user, Permission.REVIEW_EXCHANGES) and group_id in user.managed_group_ids


def permission_required(permission: Permission) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not user_can(current_user._get_current_object(), permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
