"""Following a dialogue by e-mail: double opt-in sign-ups, and a durable outbox of mail.

Addresses live in ``mail_subscriptions`` alone, linked to a dialogue and never to a
participant, a contribution or a vote. Mail is written into ``mail_outbox`` in the
transaction that decides it, and a worker (``worker.py``) sends it over SMTP later, so a
slow mail server never holds a page or a socket event, and a crash loses no mail.
"""
