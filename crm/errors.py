"""Error pages: JSON in the API's format under /api/, the portal's own pages elsewhere.

Each page extends the portal's layout and speaks the request's language. The 500 page is
rendered without the context processors: the failure may be the database they read.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from crm.api.errors import api_not_found, api_server_error, api_too_large, json_error_response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request) and isinstance(exception, RequestDataTooBig):
        return api_too_large(request)
    if _is_api(request):
        return json_error_response(
            request, status_code=400, code="bad_request", message=_("The request is malformed.")
        )
    return render(request, "400.html", status=400)


def not_found(request, exception=None):
    if _is_api(request):
        return api_not_found(request, exception)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    if _is_api(request):
        return json_error_response(
            request, status_code=403, code="permission_denied", message=_("Permission denied.")
        )
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (often a page left open past the session)."""
    if _is_api(request):
        return json_error_response(
            request, status_code=403, code="csrf_failed",
            message=_("The form has expired. Reload the page and try again."),
        )
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def server_error(request):
    if _is_api(request):
        return api_server_error(request)
    context = {"bank_name": settings.BANK_NAME, "request": request, "csrf_token": get_token(request)}
    return HttpResponseServerError(loader.get_template("500.html").render(context))
