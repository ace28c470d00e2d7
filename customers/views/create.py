"""Adding a customer by hand: the form, the duplicate check's answer, and the create.

The view parses the form and calls one service, `customers.intake.onboarding.customer_onboard`,
which checks for duplicates before it saves; possible duplicates come back to the page with
the entry kept, to open the existing customer or to create anyway with a reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compliance.access import RecordView
from crm.forms import validation_messages
from customers import permissions
from customers.forms.create import CustomerCreateForm
from customers.intake.onboarding import PossibleDuplicates, customer_onboard
from customers.models import CustomerKind
from customers.permissions import CustomerAction
from customers.views.common import portal_page


def _kind(request) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind") or CustomerKind.INDIVIDUAL
    return kind if kind in CustomerKind.values else CustomerKind.INDIVIDUAL


@portal_page
@require_http_methods(["GET", "POST"])
def customer_create(request):
    """The new-customer form (individual or corporate, `?kind=`); posting it creates the
    customer unless possible duplicates need a decision first."""
    permissions.check(request.user, CustomerAction.ADD)
    kind = _kind(request)
    form = CustomerCreateForm(request.POST if request.method == "POST" else None, actor=request.user,
                              kind=kind)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_onboard(actor=request.user, **form.service_arguments())
        except PossibleDuplicates as duplicates:
            found = duplicates
        except ValidationError as error:
            form.add_service_errors(validation_messages(error))
        else:
            messages.success(request, _("Customer %(number)s created.") % {"number": customer.number})
            return redirect("customer-detail", pk=customer.pk)
    candidates = found.candidates if found else []
    views = RecordView.for_objects(request.user, [candidate.customer for candidate in candidates])
    return render(request, "customers/create.html", {
        "form": form,
        "kind": kind,
        "kinds": CustomerKind.choices,
        "duplicates": [{"candidate": candidate, "view": view}
                       for candidate, view in zip(candidates, views, strict=True)],
        "duplicates_found": found is not None,
        "duplicates_elsewhere": bool(found and found.elsewhere),
        "asks_reason": found is not None or bool(form.errors.get("duplicate_reason")),
    })
