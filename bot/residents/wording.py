"""Sentences residents read from more than one place: the 999 lines and the privacy notice.

The urgent answers are short and fixed on purpose: they are sent before the database is
touched, in the resident's language, and must read the same wherever they appear.
"""

from __future__ import annotations

from bot.i18n import _
from bot.residents.safeguarding import Concern

__all__ = [
    "emergency_text",
    "gentle_safeguarding_text",
    "not_signed_up_text",
    "privacy_summary_text",
    "privacy_text",
    "safeguarding_text",
]


def emergency_text() -> str:
    return _(
        "This chat is not watched around the clock. In an emergency, call 999 now. "
        "To report a crime that is not an emergency, call 101 or report it online "
        "at www.met.police.uk."
    )


def not_signed_up_text() -> str:
    """For someone who has not agreed yet: most have just had the welcome, from /start."""
    return _("To begin, tap “I agree” under the welcome message, or send /start to see it again.")


def gentle_safeguarding_text() -> str:
    return _(
        "If anyone is in danger right now, call 999. This chat is not watched around the "
        "clock and cannot send help."
    )


def safeguarding_text(concern: Concern) -> str:
    if concern is Concern.EMERGENCY:
        return _(
            "🚨 If you or someone else is in danger right now, call 999 now. This chat is not "
            "watched around the clock and cannot send help. If you cannot speak, call 999 and "
            "press 55 when asked."
        )
    if concern is Concern.SELF_HARM:
        return _(
            "I'm sorry you are going through this. You can talk to Samaritans for free, day or "
            "night, on 116 123, or text SHOUT to 85258. If your life is in danger now, call 999."
        )
    return _(
        "If you are affected by domestic abuse, the National Domestic Abuse Helpline is free "
        "and open day and night: 0808 2000 247. If you are in danger now, call 999."
    )


def privacy_summary_text(retention_days: int) -> str:
    """The first layer of the privacy notice, asked for consent; /privacy gives the whole."""
    return _(
        "I keep your answers, language, ward and age group under a random code, never your "
        "name, phone number or postcode. Your local police team sees only anonymous summaries "
        "and short quotes with personal details removed, never who said what. Answers are "
        "deleted after {days} days. /privacy tells you more."
    ).format(days=retention_days)


def privacy_text(retention_days: int) -> str:
    return _(
        "How your information is used:\n"
        "• I keep your answers, your language, your ward and your age group, linked to this "
        "chat by a random code. I do not keep your name, username, phone number or postcode.\n"
        "• Your local police team only ever sees anonymous summaries of many residents' "
        "answers, never who said what, and short quotes from comments with names, numbers "
        "and other personal details removed.\n"
        "• Answers are deleted after {days} days. You can see everything I hold with /mydata "
        "and erase it with /forget at any time."
    ).format(days=retention_days)
