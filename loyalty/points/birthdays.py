"""Birthday points: once a year, on the customer's birthday (29 February birthdays on the 28th
in other years), the active "birthday" earning rule is awarded. The customers are chosen in SQL
by the birthday hint kept beside the encrypted date of birth; each award is idempotent by
(birthday, customer and year), so a rerun awards nothing twice."""

from __future__ import annotations

import datetime

from django.utils import timezone

from customers.care.triggers import birthday_month_days
from customers.models import Customer
from loyalty.models import EarningRule
from loyalty.points.earning import award_activity

ACTIVITY = "birthday"


def birthdays_award(*, today: datetime.date | None = None, batch_size: int = 1000) -> int:
    """Award the birthday rule to every customer whose birthday is `today` (the bank's date);
    return how many earned. Nothing without an active rule."""
    today = today or timezone.localdate()
    if not EarningRule.objects.filter(activity=ACTIVITY, is_active=True).exists():
        return 0
    hints, _dates = birthday_month_days(today, 0)
    occurred = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 1)))
    earned, after = 0, 0
    while True:
        batch = list(Customer.objects.filter(individual__birthday_hint__in=hints, merged_into__isnull=True,
                                             pk__gt=after).order_by("pk")[:batch_size])
        if not batch:
            return earned
        for customer in batch:
            result = award_activity(customer=customer, activity=ACTIVITY,
                                    reference=f"{customer.pk}:{today.year}",
                                    occurred_at=occurred)
            earned += 0 if result.replayed or not result.entry else 1
        after = batch[-1].pk
