"""Survey links go out through the campaigns' channel adapters, in the customer's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from customers.models import OutboundMessage
from loyalty.models import SurveyInvitation, SurveyTemplate
from loyalty.surveys import delivery

pytestmark = pytest.mark.django_db


def _invitation(customer, channel, language="en"):
    return SurveyInvitation.objects.create(
        customer=customer,
        template=SurveyTemplate.objects.first(),
        trigger="visit",
        reference=f"follow-up:{channel}",
        status="sent",
        channel=channel,
        language=language,
    )


def test_an_sms_link_is_recorded_by_the_development_adapter_encrypted(customer):
    invitation = _invitation(customer, "sms", language="zh-hans")
    delivery.channel_delivery(invitation, "https://portal.example/s/secret-token/")
    message = OutboundMessage.objects.get(customer=customer)
    assert message.campaign_id is None and message.channel == "sms"
    assert "https://portal.example/s/secret-token/" in message.body
    assert "链接" in message.body  # in the customer's language
    with connection.cursor() as cursor:  # stored encrypted: the token is not in the column
        cursor.execute(f"SELECT body FROM {OutboundMessage._meta.db_table} WHERE id = %s",  # noqa: S608
                       [message.pk])
        (stored,) = cursor.fetchone()
    assert "secret-token" not in stored


def test_an_email_link_goes_through_djangos_mail(customer):
    invitation = _invitation(customer, "email")
    delivery.channel_delivery(invitation, "https://portal.example/s/another-token/")
    [sent] = mail.outbox
    assert sent.to == [customer.email] and "another-token" in sent.body
    assert sent.subject == "How did we do?"


def test_a_channel_without_an_adapter_sends_nothing_and_fails_nothing(customer, caplog):
    invitation = _invitation(customer, "post")
    delivery.channel_delivery(invitation, "https://portal.example/s/third-token/")
    assert not mail.outbox and not OutboundMessage.objects.exists()
    assert "third-token" not in caplog.text
