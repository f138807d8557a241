"""Sign-ups, the outbox, and the lease that lets one worker of many instances send."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow, value_enum
from facilitate.dialogues.models import Dialogue
from facilitate.meetings.models import Meeting

#: RFC 5321: a path is at most 256 octets with its brackets, so an address at most 254.
ADDRESS_MAX = 254


class Subscription(Base):
    """One address following one dialogue. Pending until its confirmation link is
    followed; nothing but that confirmation is ever sent to a pending address.
    Unsubscribing deletes the row (and its queued mail)."""

    __tablename__ = "mail_subscriptions"
    __table_args__ = (sa.UniqueConstraint("dialogue_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    #: Lower-cased; who a resident is, so purge deletes it (retention.py).
    address: Mapped[str] = mapped_column(
        sa.String(ADDRESS_MAX), info=holds(Holds.resident_identity)
    )
    #: The language of every mail, as chosen on the page the sign-up came from.
    language: Mapped[str] = mapped_column(sa.String(10), info=holds(Holds.machine))
    #: Random; part of the signed links, so a link dies with its row.
    nonce: Mapped[str] = mapped_column(sa.String(32), info=holds(Holds.resident_identity))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: The last confirmation queued: at most one an hour per address.
    asked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: News of action items: a digest at most once a day, of changes after ``news_since``.
    news: Mapped[bool] = mapped_column(default=False)
    news_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    digest_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    dialogue: Mapped[Dialogue] = relationship()
    reminders: Mapped[list[Reminder]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Subscription {self.id} dialogue={self.dialogue_id}>"


class Reminder(Base):
    """A meeting whose eve a subscriber wants a reminder on."""

    __tablename__ = "mail_reminders"

    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    subscription: Mapped[Subscription] = relationship(back_populates="reminders")
    meeting: Mapped[Meeting] = relationship()


class MailStatus(enum.StrEnum):
    #: Waiting for its ``next_attempt_at`` (or kept unsent: no SMTP_URL).
    pending = "pending"
    sent = "sent"
    #: Refused for good (a 5xx answer, a bounce) or out of attempts; ``error`` says why.
    failed = "failed"


class OutboxMail(Base):
    """One composed mail, from the transaction that decided it until it is sent.

    ``message`` is the whole RFC 5322 text, ``Message-ID`` included, so a mail sent again
    after a crash between sending and recording is the same mail."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unsubscribing deletes the subscriber's queued and sent mail with it.
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), index=True
    )
    #: What it is, unique where it must go out once: ``reminder:<sub>:<meeting>``...
    key: Mapped[str | None] = mapped_column(sa.String(100), unique=True, info=holds(Holds.machine))
    recipient: Mapped[str] = mapped_column(
        sa.String(ADDRESS_MAX), info=holds(Holds.resident_identity)
    )
    subject: Mapped[str] = mapped_column(sa.String(300), info=holds(Holds.staff))
    #: The plain-text body, for the staff page.
    body: Mapped[str] = mapped_column(sa.Text, info=holds(Holds.resident_identity))
    message: Mapped[str] = mapped_column(sa.Text, info=holds(Holds.resident_identity))
    message_id: Mapped[str] = mapped_column(sa.String(200), info=holds(Holds.machine))
    status: Mapped[MailStatus] = mapped_column(
        value_enum(MailStatus), default=MailStatus.pending, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    #: The last SMTP error or bounce, as the server said it.
    error: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.machine))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.status.value}>"


class MailLease(Base):
    """Who sends: the one worker holding an unexpired lease (one row per name)."""

    __tablename__ = "mail_lease"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True, info=holds(Holds.machine))
    holder: Mapped[str] = mapped_column(sa.String(80), default="", info=holds(Holds.machine))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
