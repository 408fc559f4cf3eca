"""Domain events that more than one service reacts to, so neither has to import the other.

Receivers run inside the sender's transaction (blinker signals are synchronous): a receiver that fails rolls
the whole change back with the sender's.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with ``sender=user`` after a user has proven they own ``user.email`` (a confirmation link was used).
email_confirmed = _signals.signal("email-confirmed")

#: Sent with ``sender=user`` when an invited user has chosen their password through the invitation link
#: (their e-mail is confirmed just before). The companies service activates the colleague's membership.
invitation_accepted = _signals.signal("invitation-accepted")
