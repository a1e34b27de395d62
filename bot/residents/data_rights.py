"""A resident's rights over their data: see it all (/mydata), take it away, erase it (/forget).

/mydata is a summary in the resident's language and a JSON file with every stored answer;
/forget asks first, and the answer is valid for ten minutes so an old "Yes" cannot erase
anyone by mistake. Erasure deletes the respondent row and everything cascades from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from babel.lists import format_list

from bot.areas import AreaDirectory
from bot.events import rsvp_label
from bot.flows.notice_choices import topic_label
from bot.flows.onboarding import age_band_label
from bot.i18n import _, current_locale, data_text, format_date, language_name, pgettext
from bot.messages import Button, CallbackData, Document, Outgoing
from bot.surveys import Survey
from storage.models import TOPICS, Resident, ResponseRecord
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
        surveys: Mapping[str, Survey],
    ) -> None:
        self.areas = areas
        self.surveys = surveys
        self.area_name = area_name
        self.timezone = timezone
        self._clock = clock

    async def my_data(self, uow: UnitOfWork, resident: Resident) -> tuple[Outgoing, ...]:
        """The summary, then the file: everything stored about the resident, nothing left out,
        each code beside its label in the resident's language."""
        rid = resident.respondent_id
        responses = await uow.responses.for_respondent(rid)
        state = await uow.conversations.get(rid)
        answered = await uow.events.rsvps_of(rid)
        deliveries = await uow.broadcasts.deliveries_to(rid)
        titles = {}
        for event_id, _status, _when in answered:
            event = await uow.events.get(event_id)
            titles[event_id] = event.title if event else None
        ward = self.areas.ward(resident.ward_id) if resident.ward_id else None
        not_given = pgettext("value", "Not given")
        if ward:
            area = ward.name
        elif resident.outside_area:
            area = _("Outside {area}").format(area=self.area_name)
        else:
            area = not_given
        age = age_band_label(resident.age_band) if resident.age_band else not_given
        topics = [t for t in TOPICS if resident.wants(t)]
        notices = format_list([topic_label(t) for t in topics], locale=current_locale())
        summary = _(
            "This is everything I hold about you:\n"
            "• Language: {language}\n"
            "• Ward: {ward}\n"
            "• Age group: {age}\n"
            "• Notices you get: {notices}\n"
            "• Events you answered: {events}\n"
            "• Notices sent to you: {sent}\n"
            "• Agreed to the privacy notice: {consented}\n"
            "• Survey responses sent: {count}\n"
            "• Survey in progress: {progress}\n\n"
            "Your name, username, phone number and postcode are not stored. The attached "
            "file holds all of it, with every answer."
        ).format(
            language=language_name(resident.locale),
            ward=area,
            age=age,
            notices=notices or pgettext("value", "None"),
            events=len(answered),
            sent=sum(1 for _b, status, _w in deliveries if status == "sent"),
            consented=format_date(datetime.fromisoformat(resident.consented_at), self.timezone),
            count=len(responses),
            progress=pgettext("value", "Yes") if state else pgettext("value", "No"),
        )
        export: dict[str, Any] = {
            "service": "Neighbourhood Voice",
            "note": _(
                "Linked to your Telegram chat by a random code; your Telegram id, name, "
                "username, phone number and postcode are not stored."
            ),
            "profile": {
                "language": resident.locale,
                "language_label": language_name(resident.locale),
                "language_chosen_by_you": resident.locale_chosen,
                "ward_id": resident.ward_id,
                "ward": ward.name if ward else None,
                "outside_area": resident.outside_area,
                "age_band": resident.age_band,
                "age_band_label": age_band_label(resident.age_band) if resident.age_band else None,
                "agreed_to_privacy_notice_at": resident.consented_at,
                "set_up_at": resident.onboarded_at,
                "came_from_event": resident.referred_by_event,
                "reachable": not resident.unreachable,
            },
            "notices": [{"topic": t, "label": topic_label(t)} for t in topics],
            "events": [
                {
                    "event": event_id,
                    "title": titles[event_id],
                    "answer": status,
                    "answer_label": rsvp_label(status),
                    "answered_at": when,
                }
                for event_id, status, when in answered
            ],
            "notices_sent": [
                {"notice": broadcast_id, "status": status, "sent_at": sent_at}
                for broadcast_id, status, sent_at in deliveries
            ],
            "in_progress": (
                {"flow": state.flow, "step": state.step, "data": state.data} if state else None
            ),
            "responses": [self._response(r) for r in responses],
        }
        document = Document(
            "my-neighbourhood-voice-data.json",
            json.dumps(export, ensure_ascii=False, indent=2).encode(),
        )
        return (Outgoing(summary), Outgoing(_("Your data as a file."), document=document))

    def _response(self, response: ResponseRecord) -> dict[str, Any]:
        survey = self.surveys.get(response.survey_id)
        questions = {q.id: q for q in survey.questions} if survey else {}
        answers = []
        for a in response.answers:
            question = questions.get(a.question_id)
            choice = question.choice(a.choice_id) if question and a.choice_id else None
            fields = {
                "question": a.question_id,
                "question_text": data_text(question.text) if question else None,
                "choice": a.choice_id,
                "choice_label": data_text(choice.label) if choice else None,
                "value": a.value,
                "text": a.text,
                "text_language": a.text_language,
            }
            answers.append({k: v for k, v in fields.items() if v is not None})
        return {
            "survey": response.survey_id,
            "survey_version": response.survey_version,
            "submitted_at": response.submitted_at,
            "ward_id": response.ward_id,
            "language": response.locale,
            "answers": answers,
        }

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
