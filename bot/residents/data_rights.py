"""A resident's rights over their data: see it all (/mydata), take it away, erase it (/forget).

/mydata is a summary in the resident's language and a JSON file with every stored answer;
/forget asks first, and the answer is valid for ten minutes so an old "Yes" cannot erase
anyone by mistake. Erasure deletes the respondent row and everything cascades from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from bot.areas import AreaDirectory
from bot.flows.onboarding import age_band_label
from bot.i18n import _, format_date, language_name, pgettext
from bot.messages import Button, CallbackData, Document, Outgoing
from storage.models import Resident
from storage.repositories import UnitOfWork

__all__ = ["FORGET_CONFIRM_SECONDS", "DataRights"]

FORGET_CONFIRM_SECONDS = 600


class DataRights:
    def __init__(
        self,
        areas: AreaDirectory,
        area_name: str,
        timezone: tzinfo,
        clock: Callable[[], float],
    ) -> None:
        self.areas = areas
        self.area_name = area_name
        self.timezone = timezone
        self._clock = clock

    async def my_data(self, uow: UnitOfWork, resident: Resident) -> tuple[Outgoing, ...]:
        """The summary, then the file."""
        responses = await uow.responses.for_respondent(resident.respondent_id)
        state = await uow.conversations.get(resident.respondent_id)
        ward = self.areas.ward(resident.ward_id) if resident.ward_id else None
        if ward:
            area = ward.name
        elif resident.outside_area:
            area = _("Outside {area}").format(area=self.area_name)
        else:
            area = pgettext("value", "Not given")
        age = (
            age_band_label(resident.age_band)
            if resident.age_band
            else pgettext("value", "Not given")
        )
        summary = _(
            "This is everything I hold about you:\n"
            "• Language: {language}\n"
            "• Ward: {ward}\n"
            "• Age group: {age}\n"
            "• Agreed to the privacy notice: {consented}\n"
            "• Survey responses sent: {count}\n"
            "• Survey in progress: {progress}\n\n"
            "Your name, username, phone number and postcode are not stored. The attached "
            "file holds all of it, with every answer."
        ).format(
            language=language_name(resident.locale),
            ward=area,
            age=age,
            consented=format_date(datetime.fromisoformat(resident.consented_at), self.timezone),
            count=len(responses),
            progress=pgettext("value", "Yes") if state else pgettext("value", "No"),
        )
        export: dict[str, Any] = {
            "service": "Neighbourhood Voice",
            "note": "Linked to your Telegram chat by a random code; your Telegram id, "
            "name, username, phone number and postcode are not stored.",
            "profile": {
                "language": resident.locale,
                "ward_id": resident.ward_id,
                "ward": ward.name if ward else None,
                "outside_area": resident.outside_area,
                "age_band": resident.age_band,
                "agreed_to_privacy_notice_at": resident.consented_at,
                "set_up_at": resident.onboarded_at,
            },
            "in_progress": (
                {"flow": state.flow, "step": state.step, "data": state.data} if state else None
            ),
            "responses": [
                {
                    "survey": r.survey_id,
                    "survey_version": r.survey_version,
                    "submitted_at": r.submitted_at,
                    "ward_id": r.ward_id,
                    "language": r.locale,
                    "answers": [
                        {
                            k: v
                            for k, v in {
                                "question": a.question_id,
                                "choice": a.choice_id,
                                "value": a.value,
                                "text": a.text,
                                "text_language": a.text_language,
                            }.items()
                            if v is not None
                        }
                        for a in r.answers
                    ],
                }
                for r in responses
            ],
        }
        document = Document(
            "my-neighbourhood-voice-data.json",
            json.dumps(export, ensure_ascii=False, indent=2).encode(),
        )
        return (Outgoing(summary), Outgoing(_("Your data as a file."), document=document))

    def forget_question(self) -> Outgoing:
        """Erase everything? Its buttons carry the time asked."""
        stamp = str(int(self._clock()))
        rows = (
            (
                Button(
                    pgettext("button", "Yes, erase everything"),
                    CallbackData("x", "forget", "yes", stamp),
                ),
            ),
            (
                Button(
                    pgettext("button", "No, keep it"),
                    CallbackData("x", "forget", "no", stamp),
                ),
            ),
        )
        text = _(
            "This erases your answers, your settings and the link to this chat. It cannot "
            "be undone. Answers already counted in past summaries stay in them only as "
            "anonymous totals. Erase everything?"
        )
        return Outgoing(text, rows)

    def forget_answer_fresh(self, asked: int) -> bool:
        """Whether a Yes/No to the question asked at ``asked`` (epoch seconds) still counts."""
        now = self._clock()
        return now - asked <= FORGET_CONFIRM_SECONDS and asked <= now + 60

    async def erase(self, uow: UnitOfWork, resident: Resident) -> Outgoing:
        await uow.residents.erase(resident.respondent_id)
        return Outgoing(
            _(
                "Done. Everything I held about you has been erased. If you send /start again, "
                "I will treat you as a new resident."
            ),
            edit=True,
        )
