"""The JSON API's parameters and answers (/api/v1). The OpenAPI document is generated from these.

Nothing here can carry a phone number, a name, a pseudonym, what a worker wrote, internal notes
or attachments: the case schema has no field for them, at any grade.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from grievance.models.case import (ACKNOWLEDGED, CLOSED, IN_PROGRESS, NEW, REOPENED, RESOLVED, ROUTE_ADVISOR,
                                   ROUTE_PICC)

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS, REOPENED, RESOLVED, CLOSED)
ROUTES = (ROUTE_PICC, ROUTE_ADVISOR)


class Number(fields.Number):
    """A whole number stays whole (a count of 3 is 3, not 3.0); a share stays a fraction."""

    num_type = float

    def _format_num(self, value):
        return value


# PostgreSQL can neither hold nor compare a NUL character: a text parameter with one is refused
# by name (422), and the OpenAPI document says so (its pattern).
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="A NUL character (U+0000) is not accepted.")


class _Query(Schema):
    class Meta:
        unknown = EXCLUDE  # unknown query parameters are ignored, as browsers and proxies add some


class PageQuery(_Query):
    after = fields.String(validate=[validate.Length(1, 64), NO_NUL],
                          metadata={"description": "The `next` value of the previous page."})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


class CaseQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = fields.String(validate=[validate.Length(1, 32), NO_NUL])
    factory = fields.String(validate=[validate.Length(1, 32), NO_NUL], metadata={"description": "A factory code."})


class GrantQuery(PageQuery):
    after = fields.Integer(validate=validate.Range(0, 2**31 - 1),  # a database integer
                           metadata={"description": "The `next` value of the previous page."})


# The keys grievance.summaries.periods.Period.parse reads: a year 2000–2999, a month, a quarter.
PERIOD_KEY = r"^2[0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]))?$"


class PeriodQuery(_Query):
    period = fields.String(required=True, validate=validate.Regexp(
        PERIOD_KEY, error='"{input}" is not a period: use a month ("2026-03"), a quarter ("2026-Q1") or a year '
                          '("2026").'),
        metadata={"description": 'A closed calendar period: "2026-03", "2026-Q1" or "2026".',
                  "pattern": PERIOD_KEY})


class CaseOut(Schema):
    reference = fields.String(required=True)
    factory = fields.String(allow_none=True, metadata={"description": "The factory's code."})
    country = fields.String(required=True)
    category = fields.String(required=True)
    route = fields.String(required=True, validate=validate.OneOf(ROUTES))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    opened_at = fields.DateTime(required=True)
    acknowledge_by = fields.DateTime(required=True)
    resolve_by = fields.DateTime(allow_none=True)
    acknowledged_in_time = fields.Boolean(allow_none=True)
    resolved_in_time = fields.Boolean(allow_none=True)
    outcome_code = fields.String(allow_none=True)
    grade = fields.String(required=True, validate=validate.OneOf(("full", "status")),
                          metadata={"description": "How much of the case the token's owner may see."})


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseOut), required=True)
    next = fields.String(allow_none=True, required=True,
                         metadata={"description": "Pass as `after` for the next page; null on the last."})


class FactoryOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)
    timezone = fields.String(required=True)
    headcount = fields.Integer(allow_none=True)


class FactoryPage(Schema):
    items = fields.List(fields.Nested(FactoryOut), required=True)
    next = fields.String(allow_none=True, required=True)


class GrantOut(Schema):
    id = fields.Integer(required=True)
    factory = fields.String(required=True)
    organisation = fields.String(required=True, metadata={"description": "The organisation's code."})
    organisation_name = fields.String(required=True)
    granted_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)
    granted_by = fields.String(allow_none=True, metadata={"description": "Not shown to buyers."})
    revoked_by = fields.String(allow_none=True, metadata={"description": "Not shown to buyers."})


class GrantPage(Schema):
    items = fields.List(fields.Nested(GrantOut), required=True)
    next = fields.String(allow_none=True, required=True)


class GrantIn(Schema):
    organisation = fields.String(required=True, validate=[validate.Length(1, 120), NO_NUL],
                                 metadata={"description": "The organisation's code (or its name)."})


class FigureOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("count", "share", "days", "rate")))
    value = Number(allow_none=True, required=True, metadata={"description": "null when suppressed."})
    n = fields.Integer(allow_none=True, required=True,
                       metadata={"description": "Distinct workers behind it; null when suppressed."})
    suppressed = fields.String(allow_none=True, required=True,
                               validate=validate.OneOf(("small", "too_few", "complementary", "benchmark",
                                                        "no_data")))


class ColumnOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)


class RowOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    cells = fields.Dict(keys=fields.String(), values=fields.Nested(FigureOut), required=True)


class TableOut(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.Nested(ColumnOut), required=True)
    rows = fields.List(fields.Nested(RowOut), required=True)
    total = fields.Nested(RowOut, allow_none=True, required=True)


class SummaryOut(Schema):
    subject = fields.String(required=True)
    period = fields.String(required=True)
    period_kind = fields.String(required=True, validate=validate.OneOf(("month", "quarter", "year")))
    refreshed_at = fields.String(allow_none=True, required=True, metadata={"format": "date-time"})
    tables = fields.List(fields.Nested(TableOut), required=True)


class SurveyResultsOut(Schema):
    run = fields.Integer(required=True)
    survey = fields.String(required=True, metadata={"description": "The survey's title."})
    factory = fields.String(allow_none=True, required=True,
                            metadata={"description": "The factory's code; null for a country-wide run."})
    country = fields.String(required=True)
    status = fields.String(required=True)
    started_at = fields.DateTime(allow_none=True, required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)
    tables = fields.List(fields.Nested(TableOut), required=True, metadata={
        "description": 'Table "response" (who answered, the response rate and its denominator), then '
                       '"question-<n>" per question (and "question-<n>-corrected" for a randomized yes/no). '
                       "Free-text answers are never here: only how many answered in words."})
