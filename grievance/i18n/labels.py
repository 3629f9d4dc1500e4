"""Words for the stored codes that summaries name as well as pages: categories and outcomes
(grievance/web/labels.py re-exports them for the pages)."""

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "wages": _l("Wages and benefits"), "hours_leave": _l("Working hours and leave"),
    "safety_health": _l("Safety and health"), "contracts_dismissal": _l("Contracts and dismissal"),
    "discrimination": _l("Discrimination"), "union_representatives": _l("Union and worker representatives"),
    "harassment_violence": _l("Harassment and violence"), "child_labour": _l("Child labour"),
    "forced_labour": _l("Forced labour"), "other": _l("Other"),
}
# How a case ended (cases.outcome_code); summaries count them.
OUTCOME_LABELS = {
    "remedied": _l("Remedied"), "partly_remedied": _l("Partly remedied"), "not_upheld": _l("Not upheld"),
    "referred": _l("Referred elsewhere"), "withdrawn": _l("Withdrawn by the worker"),
    "no_response": _l("No response from the worker"),
}
