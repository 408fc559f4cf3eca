"""The forum: boards (one general, one per contest), threads, posts and every version of every post."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.users import User

if TYPE_CHECKING:
    from marketplace.models.contests import Contest


def _enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ThreadKind(str, enum.Enum):
    ANNOUNCEMENT = "announcement"  # organisers only; the board's audience is notified
    QUESTION = "question"  # can be marked answered (one accepted reply, shown first)
    DISCUSSION = "discussion"


class ForumBoard(db.Model):
    """A board: the general one (slug "general") or a contest's (its contest id; see services/forum.py)."""

    __tablename__ = "forum_board"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "general" for the one general board; "contest-<id>" for a contest's board. Unique: get-or-create is one
    # upsert, so two first visitors never make two general boards.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    # The contest whose board this is (NULL for the general board). Unique: a contest has one board, made on
    # first visit by one conditional insert, so two first visitors never make two.
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contest: Mapped[Contest | None] = relationship()


class ForumThread(db.Model):
    __tablename__ = "forum_thread"
    __table_args__ = (Index("ix_forum_thread_board_activity", "board_id", "pinned", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_board.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[ThreadKind] = mapped_column(_enum(ThreadKind))
    title: Mapped[str] = mapped_column(String(200))
    # Announcements stay on top of the list.
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # A question's accepted reply (shown first); NULL while unanswered. No foreign key: posts are never deleted
    # (only hidden), and a cycle thread <-> post would complicate creating and dropping the tables.
    answer_post_id: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    board: Mapped[ForumBoard] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class ForumPost(db.Model):
    """A thread's opening post (position 0) or a reply. `body` is the current version's Markdown source."""

    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread_created", "thread_id", "opening", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    opening: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    # 1 when written; +1 per edit. A save from an older version is refused (409), never silently overwritten.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")

    thread: Mapped[ForumThread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class ForumPostRevision(db.Model):
    """One version of a post as it was saved (version 1 is the original): the edit history."""

    __tablename__ = "forum_post_revision"
    __table_args__ = (UniqueConstraint("post_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")  # the thread's title then (opening posts)
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    editor: Mapped[User | None] = relationship()
