"""Satisfaction surveys: asking (request_survey, the visit and relationship pulls), sending
through the contact-pressure policy, the signed links, the public answer and the detractor
loop, and the dashboards.

    sending     request_survey, invitation_send, visits_pull, relationship_pull, queue_send
    links       signed single-use link tokens
    responses   invitation_for_token, response_submit (and the detractor follow-up)
    delivery    hands a link to the channel's gateway (settings)
    dashboards  NPS/CSAT by branch, RM, segment, channel and month; the RM scorecard
    tasks       Celery entry points

The feedback app calls `loyalty.surveys.request_survey(customer, trigger, reference)`.
"""

from loyalty.surveys.sending import request_survey

__all__ = ["request_survey"]
