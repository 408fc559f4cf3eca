"""Typed SQLAlchemy models, one module per aggregate; imported here so Alembic sees them all."""
from marketplace.models.audit import AuditEvent
from marketplace.models.groups import Major, ProjectGroup, Track
from marketplace.models.users import (
    DegreeLevel,
    Designation,
    Role,
    StudentProfile,
    User,
    designation_groups,
)

__all__ = [
    "AuditEvent",
    "DegreeLevel",
    "Designation",
    "Major",
    "ProjectGroup",
    "Role",
    "StudentProfile",
    "Track",
    "User",
    "designation_groups",
]
