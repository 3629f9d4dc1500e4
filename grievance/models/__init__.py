"""SQLAlchemy models, one module per aggregate."""

from grievance.models.access import ApiToken, ConsentGrant, Organisation
from grievance.models.admin import AdminEvent, PasswordReset, ReplyTemplate
from grievance.models.base import Base, utcnow
from grievance.models.case import Case, CaseEvent
from grievance.models.casework import CaseNote, CaseView
from grievance.models.conversation import Conversation
from grievance.models.geography import ChannelEndpoint, Country, Factory
from grievance.models.message import EarlyStatus, Message, MessageTemplate
from grievance.models.notification import Notification
from grievance.models.policy import DeadlinePolicy, Holiday, RoutingRule
from grievance.models.summary import SummaryFact, SummaryRefresh
from grievance.models.survey import (
    Survey, SurveyAnswer, SurveyDelivery, SurveyQuestion, SurveyRun, SurveySubscriber,
)
from grievance.models.user import Membership, User
from grievance.models.worker import Worker

__all__ = [
    "AdminEvent", "ApiToken", "Base", "Case", "CaseEvent", "CaseNote", "CaseView", "ConsentGrant", "Conversation",
    "ChannelEndpoint", "Country", "EarlyStatus", "Factory",
    "DeadlinePolicy", "Holiday", "Membership", "Message", "MessageTemplate", "Notification", "Organisation",
    "PasswordReset", "ReplyTemplate", "RoutingRule", "SummaryFact", "SummaryRefresh", "Survey", "SurveyAnswer", "SurveyDelivery", "SurveyQuestion", "SurveyRun",
    "SurveySubscriber", "User", "Worker", "utcnow",
]
