"""The yearly medical-AI contest: contests, company problems, teams, submissions, judges, rubric, scores, awards."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.agreements import DataAccess, DataSource, Deidentification, DuaStatus, IrbStatus
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.companies import Company
from marketplace.models.groups import ProjectGroup
from marketplace.models.users import User, _enum

MAX_TEAM_MEMBERS = 5


class ContestStatus(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    JUDGING = "judging"
    RESULTS_PUBLISHED = "results_published"


class ProblemStatus(str, enum.Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class MemberStatus(str, enum.Enum):
    INVITED = "invited"
    MEMBER = "member"
    DECLINED = "declined"


contest_groups = Table(
    "contest_groups",
    db.metadata,
    Column("contest_id", ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("project_group.id", ondelete="CASCADE"), primary_key=True),
)


class Contest(db.Model):
    """One contest of one or more project groups, with its timeline (UTC instants, shown in Asia/Seoul)."""

    __tablename__ = "contest"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    prizes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ContestStatus] = mapped_column(_enum(ContestStatus, length=20), default=ContestStatus.DRAFT,
                                                  index=True)
    allow_cross_group: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submission_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    judging_ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    results_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    groups: Mapped[list[ProjectGroup]] = relationship(secondary=contest_groups, order_by="ProjectGroup.id")
    tracks: Mapped[list[ContestTrack]] = relationship(back_populates="contest", cascade="all, delete-orphan",
                                                      order_by="ContestTrack.position")
    criteria: Mapped[list[RubricCriterion]] = relationship(back_populates="contest", cascade="all, delete-orphan",
                                                           order_by="RubricCriterion.position")
    awards: Mapped[list[ContestAward]] = relationship(back_populates="contest", cascade="all, delete-orphan",
                                                      order_by="ContestAward.rank")
    created_by: Mapped[User | None] = relationship()


class ContestTrack(db.Model):
    __tablename__ = "contest_track"
    __table_args__ = (UniqueConstraint("contest_id", "name", name="uq_contest_track_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))

    contest: Mapped[Contest] = relationship(back_populates="tracks")


class ContestAward(db.Model):
    """The award given to the team placed at `rank` (1 = first)."""

    __tablename__ = "contest_award"
    __table_args__ = (UniqueConstraint("contest_id", "rank", name="uq_contest_award_rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))

    contest: Mapped[Contest] = relationship(back_populates="awards")


class ContestProblem(db.Model):
    """A problem proposed by a partner company, with its data description and clinical-data readiness."""

    __tablename__ = "contest_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text)
    data_description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProblemStatus] = mapped_column(_enum(ProblemStatus, length=20), default=ProblemStatus.PROPOSED)
    return_note: Mapped[str] = mapped_column(Text, default="")
    data_source: Mapped[DataSource] = mapped_column(_enum(DataSource, length=20))
    irb_status: Mapped[IrbStatus | None] = mapped_column(_enum(IrbStatus, length=20))
    irb_institution: Mapped[str] = mapped_column(String(200), default="")
    irb_number: Mapped[str] = mapped_column(String(100), default="")
    irb_date: Mapped[date | None] = mapped_column(Date)
    dua_status: Mapped[DuaStatus | None] = mapped_column(_enum(DuaStatus, length=20))
    dua_reference: Mapped[str] = mapped_column(String(200), default="")
    deidentification: Mapped[Deidentification | None] = mapped_column(_enum(Deidentification, length=20))
    access: Mapped[DataAccess | None] = mapped_column(_enum(DataAccess, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contest: Mapped[Contest] = relationship()
    company: Mapped[Company] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])


class ContestTeam(db.Model):
    """A team of verified students. `member_count` is raised by a conditional UPDATE (`< 5`), so two
    invitations accepted at once cannot make a sixth member."""

    __tablename__ = "contest_team"
    __table_args__ = (UniqueConstraint("contest_id", "name", name="uq_contest_team_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("contest_track.id", ondelete="SET NULL"))
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("contest_problem.id", ondelete="SET NULL"), index=True)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contest: Mapped[Contest] = relationship()
    track: Mapped[ContestTrack | None] = relationship()
    problem: Mapped[ContestProblem | None] = relationship()
    members: Mapped[list[ContestTeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan",
                                                            order_by="ContestTeamMember.id")


class ContestTeamMember(db.Model):
    """A student's invitation to, or membership of, a team. One team per student per contest: a partial
    unique index over live memberships."""

    __tablename__ = "contest_team_member"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", name="uq_contest_team_member_user"),
        Index("uq_contest_member_one_team", "contest_id", "user_id", unique=True,
              sqlite_where=Column("status") == "member", postgresql_where=Column("status") == "member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("contest_team.id", ondelete="CASCADE"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus, length=20), default=MemberStatus.INVITED)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[ContestTeam] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ContestSubmission(db.Model):
    """One version of a team's submission: a PDF report and an optional ZIP, both in the storage backend."""

    __tablename__ = "contest_submission"
    __table_args__ = (UniqueConstraint("team_id", "version", name="uq_contest_submission_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("contest_team.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    report_storage_name: Mapped[str] = mapped_column(String(40))
    report_original_name: Mapped[str] = mapped_column(String(120), default="")
    report_size: Mapped[int] = mapped_column(Integer, default=0)
    code_storage_name: Mapped[str | None] = mapped_column(String(40))
    code_original_name: Mapped[str] = mapped_column(String(120), default="")
    code_size: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[ContestTeam] = relationship()
    submitted_by: Mapped[User | None] = relationship()


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    min_score: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[int] = mapped_column(Integer, default=10)

    contest: Mapped[Contest] = relationship(back_populates="criteria")


class ContestJudge(db.Model):
    __tablename__ = "contest_judge"
    __table_args__ = (UniqueConstraint("contest_id", "user_id", name="uq_contest_judge_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contest: Mapped[Contest] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class JudgeConflict(db.Model):
    """A conflict of interest a judge declared with a team: that judge is never assigned it."""

    __tablename__ = "judge_conflict"
    __table_args__ = (UniqueConstraint("judge_id", "team_id", name="uq_judge_conflict_team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judge.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("contest_team.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JudgeAssignment(db.Model):
    """A team's final submission assigned to a judge."""

    __tablename__ = "judge_assignment"
    __table_args__ = (UniqueConstraint("judge_id", "team_id", name="uq_judge_assignment_team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judge.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("contest_team.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    judge: Mapped[ContestJudge] = relationship()
    team: Mapped[ContestTeam] = relationship()
    scores: Mapped[list[JudgeScore]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class JudgeScore(db.Model):
    __tablename__ = "judge_score"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id", name="uq_judge_score_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("judge_assignment.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    assignment: Mapped[JudgeAssignment] = relationship(back_populates="scores")


class ContestOpeningInvite(db.Model):
    """A company's invitation to a contest team member to apply to one of its published openings."""

    __tablename__ = "contest_opening_invite"
    __table_args__ = (UniqueConstraint("opening_id", "user_id", name="uq_contest_opening_invite_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("contest_team.id", ondelete="CASCADE"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
