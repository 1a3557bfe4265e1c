"""The outbox as a use case: claim, compose, send through a ``Sender``, record the outcome.

``Outbox`` (one per process, any number per database) is written against the ``Sender``
protocol; the Telegram front end provides the sender that turns Bot API answers into outcomes.
"""

from bot.usecases.outbox.sender import (
    Outcome,
    Sender,
    SendResult,
    Undelivered,
    send_in_best_form,
    send_messages,
)
from bot.usecases.outbox.worker import DeliveryPolicy, Outbox

__all__ = [
    "DeliveryPolicy",
    "Outbox",
    "Outcome",
    "SendResult",
    "Sender",
    "Undelivered",
    "send_in_best_form",
    "send_messages",
]
