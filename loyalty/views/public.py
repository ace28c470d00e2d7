"""The public survey page, /s/<token>/: no login, the customer's language (the invitation's),
a phone-sized page, a CSRF-protected form, rate-limited per address.

A link that does not open says why in plain words, with the matching status: tampered or
unknown 404, expired or already answered 410, too many tries 429. Nothing on these pages
names the customer.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from crm.client_address import client_ip
from crm.forms import validation_messages
from loyalty.models import QuestionKind
from loyalty.models.surveys import SCORE_RANGES
from loyalty.surveys import responses
from loyalty.surveys.responses import LinkProblem, LinkRefused

RATE_LIMIT = 20  # requests per address per window
RATE_WINDOW = 300  # seconds
STATUS = {
    LinkProblem.TAMPERED: 404,
    LinkProblem.UNKNOWN: 404,
    LinkProblem.EXPIRED: 410,
    LinkProblem.USED: 410,
}


def _limited(request) -> bool:
    key = f"loyalty:survey-page:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT


def _questions(invitation, language):
    rows = []
    for question in invitation.template.questions.all():
        scale = None
        if question.kind in SCORE_RANGES:
            low, high = SCORE_RANGES[question.kind]
            scale = list(range(low, high + 1))
        rows.append(
            {
                "question": question,
                "name": f"q{question.pk}",
                "text": question.text(language),
                "scale": scale,
                "is_text": question.kind == QuestionKind.TEXT,
            }
        )
    return rows


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request, token: str):
    if _limited(request):
        return render(request, "loyalty/surveys/public_problem.html", {"problem": "limited"}, status=429)
    check = responses.invitation_for_token(token)
    if check.problem:
        language = check.invitation.language if check.invitation else None
        with translation.override(language or translation.get_language()):
            return render(
                request,
                "loyalty/surveys/public_problem.html",
                {"problem": check.problem},
                status=STATUS[check.problem],
            )
    invitation = check.invitation
    language = invitation.language
    with translation.override(language):
        errors, values = {}, {}
        if request.method == "POST":
            values = {key: value for key, value in request.POST.items() if key.startswith("q")}
            try:
                responses.response_submit(invitation=invitation, answers=values)
            except LinkRefused as refused:
                return render(
                    request,
                    "loyalty/surveys/public_problem.html",
                    {"problem": refused.code},
                    status=STATUS[refused.code],
                )
            except ValidationError as error:
                errors = validation_messages(error)
            else:
                return render(request, "loyalty/surveys/public_thanks.html", {"language": language})
        rows = _questions(invitation, language)
        for row in rows:
            row["errors"] = errors.get(row["name"], [])
            row["value"] = values.get(row["name"], "")
        return render(
            request,
            "loyalty/surveys/public_answer.html",
            {
                "title": invitation.template.title(language),
                "rows": rows,
                "language": language,
                "has_errors": bool(errors),
            },
            status=400 if errors else 200,
        )
