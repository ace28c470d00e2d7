"""Error pages: JSON in the API's format under /api/, HTML pages elsewhere."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from crm.api.errors import api_not_found, api_server_error, json_error_response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return api_not_found(request, exception)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    if _is_api(request):
        return json_error_response(
            request, status_code=403, code="permission_denied", message="Permission denied."
        )
    return render(request, "403.html", status=403)


def server_error(request):
    if _is_api(request):
        return api_server_error(request)
    # No request context: the failure may be the database the context processors read.
    return HttpResponseServerError(loader.get_template("500.html").render())
