"""Worker-facing texts: one home for every text a worker receives, by purpose.

They come from the Babel catalogs in translations/ (marked with N_ for extraction) and are
rendered outside any web request, in the worker's language. Each purpose has a segment
budget: what one such SMS may cost in that language (see `flask --app grievance sms-costs`).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.support import NullTranslations, Translations


from grievance.config import catalog_dir

TRANSLATIONS_DIR = catalog_dir()  # installed with the package, or translations/ of a checkout
WORKER_LANGUAGES = ("id", "km", "vi", "bn", "ar", "ht", "st", "es", "my", "en")


def N_(text: str) -> str:
    """Marks a text for extraction; it is translated when rendered."""
    return text


WORKER_TEXTS: dict[str, str] = {
    "acknowledgement": N_(
        "We received your complaint. Case %(reference)s. The committee will reply by %(date)s. "
        "Your name and number stay private."
    ),
    "acknowledgement_named": N_(
        "We received your complaint. Case %(reference)s. The committee will reply by %(date)s. "
        "The committee will see your name; your number stays private."
    ),
    "added_to_case": N_("We added your message to case %(reference)s. The committee will see it."),
    "added_to_case_programme": N_(
        "We added your message to case %(reference)s. The programme's advisors will see it."
    ),
    "opt_out": N_(
        "You will get no more messages from us. Your cases stay open. To get messages again, reply %(keyword)s."
    ),
    "opt_in": N_("Welcome back. You will get messages about your cases again."),
    "help": N_(
        "Send your complaint in a message. The factory committee handles it, or the programme's advisors if "
        "it is grave. Your number stays private; your name too unless you agree. Reply %(keyword)s to stop "
        "messages."
    ),
    "acknowledgement_programme": N_(
        "We received your complaint. Case %(reference)s. The programme's advisors, not the factory, will handle "
        "it and reply by %(date)s. Your name and number stay private."
    ),
    "acknowledgement_programme_named": N_(
        "We received your complaint. Case %(reference)s. The programme's advisors, not the factory, will handle "
        "it and reply by %(date)s. The advisors will see your name; your number stays private."
    ),
    "ask_category": N_(
        "What is it about? Reply with a number: 1 pay, 2 hours or leave, 3 safety or health, 4 contract or "
        "dismissal, 5 discrimination, 6 union, 7 harassment or violence, 8 child labour, 9 forced labour, 0 other"
    ),
    "ask_factory": N_("Which factory is it? Reply with a number or the factory code: %(choices)s"),
    "ask_anonymity": N_("May the committee know your name? 1 yes, 2 no. Without an answer your name stays secret."),
    "ask_anonymity_programme": N_(
        "May the programme's advisors know your name? 1 yes, 2 no. Without an answer your name stays secret."
    ),
    "ask_name": N_("Please write your name."),
    "ask_danger": N_("Is anyone in danger right now? 1 yes, 2 no"),
    "not_understood": N_("Sorry, we did not understand."),
    "pick_case": N_("Which case is your message about? Reply with a number: %(choices)s. Or %(keyword)s for a new complaint."),
    "status_line": N_("%(reference)s: %(status)s. Next answer by %(date)s."),
    "status_none": N_("You have no open case. Send us a message to start one."),
    "status_received": N_("received"),
    "status_handled": N_("being handled"),
    "status_resolved": N_("resolved, waiting for your answer"),
    "outcome": N_("Case %(reference)s is resolved: %(outcome)s Are you satisfied? 1 yes, 2 no"),
    "satisfied_thanks": N_("Thank you. Case %(reference)s is closed."),
    "reopened": N_("We are sorry. Case %(reference)s is open again. The committee will reply by %(date)s."),
    "reopened_programme": N_(
        "We are sorry. Case %(reference)s is open again. The programme's advisors will reply by %(date)s."
    ),
    "followup_looking": N_("The committee is looking into case %(reference)s and will write to you again."),
    "followup_looking_programme": N_(
        "The programme's advisors are looking into case %(reference)s and will write to you again."
    ),
    "followup_more_info": N_("About case %(reference)s: please tell us more. When and where did it happen?"),
    "signature_picc": N_("Factory committee"),
    "signature_advisor": N_("Programme advisors"),
    "language_menu": N_("To choose your language, reply %(keyword)s and a number: %(choices)s"),
    "language_set": N_("From now on we will write to you in %(language_name)s."),
    "moved_to_advisors": N_(
        "Case %(reference)s. The programme's advisors, not the factory, will handle it and reply by %(date)s. "
        "Your name and number stay private."
    ),
    "moved_to_advisors_named": N_(
        "Case %(reference)s. The programme's advisors, not the factory, will handle it and reply by %(date)s. "
        "The advisors will see your name; your number stays private."
    ),
    "escalated": N_(
        "Case %(reference)s was not answered in time, so it has been passed to people higher up who will "
        "follow it. Your name and number stay private."
    ),
    "escalated_named": N_(
        "Case %(reference)s was not answered in time, so it has been passed to people higher up who will "
        "follow it. Those handling it see your name; your number stays private."
    ),
    # Surveys: a reply that does not fit the question is asked again once with one of these
    # in front of it; the survey's own texts are written per language by the programme's staff.
    "survey_hint_scale": N_("Please reply with a number from 1 to %(top)s."),
    "survey_hint_yes_no": N_("Please reply 1 for yes or 2 for no."),
    "survey_hint_choice": N_("Please reply with the number of your choice, from 1 to %(top)s."),
    "survey_hint_text": N_("Please reply with a few words."),
    "survey_subscribed": N_("Thank you. We will send you short surveys by text. To stop them, reply %(keyword)s."),
    "survey_unsubscribed": N_("We will send you no more surveys. To get them again, reply %(keyword)s."),
    "survey_own_number": N_("To get surveys, send %(keyword)s to your own factory's number."),
    # Her answer came after the survey was stopped by the programme: nothing more is asked.
    "survey_cancelled": N_("Thank you. This survey has been stopped, so no answer is needed."),
}

# Most SMS segments each text may take, per purpose; an expensive translation fails a test.
SEGMENT_BUDGET = {"acknowledgement": 3, "added_to_case": 2, "opt_out": 3, "opt_in": 2, "help": 4,
                  "language_menu": 3, "language_set": 2, "acknowledgement_programme": 4, "ask_category": 5,
                  "ask_factory": 3, "ask_anonymity": 3, "ask_name": 1, "ask_danger": 2, "not_understood": 1,
                  "pick_case": 3, "status_line": 2, "status_none": 2, "status_received": 1, "status_handled": 1,
                  "status_resolved": 1, "outcome": 4, "satisfied_thanks": 2, "reopened": 3,
                  "followup_looking": 2, "followup_more_info": 3, "signature_picc": 1, "signature_advisor": 1,
                  "escalated": 4, "acknowledgement_named": 3, "acknowledgement_programme_named": 4,
                  "added_to_case_programme": 2, "ask_anonymity_programme": 3, "reopened_programme": 3,
                  "followup_looking_programme": 2, "escalated_named": 4, "moved_to_advisors": 4,
                  "moved_to_advisors_named": 4, "survey_hint_scale": 2, "survey_hint_yes_no": 2,
                  "survey_hint_choice": 2, "survey_hint_text": 1, "survey_subscribed": 3, "survey_unsubscribed": 2,
                  "survey_own_number": 2, "survey_cancelled": 2}
# Whole-sentence variants (translators need whole sentences): what a text says about who
# handles her case, on the advisors' route, and about her name, once she agreed to give it.
PROGRAMME_VARIANTS = {"acknowledgement": "acknowledgement_programme", "added_to_case": "added_to_case_programme",
                      "reopened": "reopened_programme", "followup_looking": "followup_looking_programme",
                      "ask_anonymity": "ask_anonymity_programme"}
NAMED_VARIANTS = {"acknowledgement": "acknowledgement_named",
                  "acknowledgement_programme": "acknowledgement_programme_named",
                  "escalated": "escalated_named", "moved_to_advisors": "moved_to_advisors_named"}
# Replies that go out signed (a person's own reply is signed too), and by whom: False for the
# committee, True for the advisors.
SIGNED_PURPOSES = {"followup_looking": (False,), "followup_looking_programme": (True,),
                   "followup_more_info": (False, True)}
# Replies a committee member can pick on the case page, sent in the worker's language (in the
# wording of the case's route).
FOLLOWUP_TEMPLATES = ("followup_looking", "followup_more_info")


@lru_cache(maxsize=32)
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


def worker_text(purpose: str, language: str, **params: str) -> str:
    return translations(language).gettext(WORKER_TEXTS[purpose]) % params


def purpose_for(purpose: str, *, advisors: bool, named: bool) -> str:
    """The wording of ``purpose`` that tells the truth: who handles the case, what she chose."""
    if advisors:
        purpose = PROGRAMME_VARIANTS.get(purpose, purpose)
    if named:
        purpose = NAMED_VARIANTS.get(purpose, purpose)
    return purpose


def signature(language: str, *, advisors: bool) -> str:
    return worker_text("signature_advisor" if advisors else "signature_picc", language)


def signed_text(text: str, language: str, *, advisors: bool) -> str:
    """A reply signed by the committee or the advisors, never by a person. A hyphen, not a dash:
    the dash is not in GSM-7 and would make every Latin-script reply cost twice."""
    return f"{text}\n- {signature(language, advisors=advisors)}"


@lru_cache(maxsize=32)
def day_pattern(locale: str) -> str:
    """The locale's full date pattern without the year: a deadline is days away, not years."""
    pattern = Locale.parse(locale).date_formats["full"].pattern
    pattern = re.sub(r"[\s,]*(?:'[^']*'\s*)?y+[\s,.]*", " ", pattern).strip(" ,")
    return re.sub(r"\s*'[^']*'\s*$", "", pattern)


def worker_date(moment: datetime, timezone: str, locale: str) -> str:
    """A day as a worker reads it, in her language: 'Senin, 24 November', 'Monday, November 24'."""
    return format_date(moment.astimezone(ZoneInfo(timezone)).date(), day_pattern(locale), locale=locale)
