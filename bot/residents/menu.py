"""The residents' commands as Telegram's command menu (the "/" list) shows them.

Everyone who has no menu of their own sees this list, in their Telegram language where the
bot speaks it; staff members see it too, after their own commands (:mod:`bot.staff.menus`),
since every resident command works for them as well. Call it inside
:func:`~bot.i18n.use_locale` for the language wanted.
"""

from __future__ import annotations

from bot.i18n import pgettext
from bot.messages import MenuCommand

__all__ = ["resident_menu"]


def resident_menu() -> tuple[MenuCommand, ...]:
    """The residents' commands, described in the current language."""
    return (
        MenuCommand("survey", pgettext("command", "Answer six short questions")),
        MenuCommand("events", pgettext("command", "Upcoming community events")),
        MenuCommand("notices", pgettext("command", "Choose which notices you get")),
        MenuCommand("language", pgettext("command", "Change the language")),
        MenuCommand("privacy", pgettext("command", "How your information is used")),
        MenuCommand("mydata", pgettext("command", "See everything held about you")),
        MenuCommand("forget", pgettext("command", "Erase everything held about you")),
        MenuCommand("cancel", pgettext("command", "Stop what you are doing")),
        MenuCommand("help", pgettext("command", "Help, and emergency numbers")),
    )
