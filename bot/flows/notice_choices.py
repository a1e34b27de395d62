"""Which notices a resident wants: the same toggles at sign-up and in /notices."""

from __future__ import annotations

from bot.i18n import _, pgettext
from bot.messages import Button, ButtonFamily, CallbackData, Screen
from storage.models import TOPICS, Resident

__all__ = ["NOTICE_BUTTONS", "all_off_warning", "notices_saved", "notices_screen", "topic_label"]

# /notices' toggles: n::<toggle|done>:<topic> (onboarding shows the same under its own prefix).
NOTICE_BUTTONS = ButtonFamily("n")


def topic_label(topic: str) -> str:
    labels = {
        "events": pgettext("topic", "Community events"),
        "safety": pgettext("topic", "Safety notices"),
        "updates": pgettext("topic", '"You said, we did" updates'),
    }
    return labels[topic]


def notices_screen(
    resident: Resident, flow: str = NOTICE_BUTTONS.prefix, step: str = ""
) -> Screen:
    """Toggles for each topic; shared by onboarding and /notices."""
    rows = []
    for topic in TOPICS:
        label = topic_label(topic)
        if resident.wants(topic):
            label = _("✅ {choice}").format(choice=label)
        else:
            label = _("⬜ {choice}").format(choice=label)
        rows.append((Button(label, CallbackData(flow, step, "toggle", topic)),))
    rows.append((Button(pgettext("button", "Done"), CallbackData(flow, step, "done")),))
    return Screen(
        _(
            "Which messages would you like from your local team? ✅ is on, ⬜ is off: tap to "
            "switch each on or off. You can change this at any time with /notices."
        ),
        tuple(rows),
    )


def all_off_warning(resident: Resident) -> str | None:
    """Said on Done when every topic is off: silence is then what the resident chose."""
    if any(resident.wants(topic) for topic in TOPICS):
        return None
    return _(
        "Every message is switched off, so I will not send you any notices; I will still "
        "answer when you write to me. Send /notices to switch some on."
    )


def notices_saved(resident: Resident) -> str:
    """What /notices' Done says."""
    saved = _("Your choices are saved.")
    warning = all_off_warning(resident)
    return saved if warning is None else f"{saved}\n\n{warning}"
