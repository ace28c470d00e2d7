"""The API's one request parser: JSON, bounded in size and in nesting depth.

Python's JSON decoder recurses once per nesting level, so a body of a thousand nested arrays
would end in a RecursionError (a 500) before any serializer sees it. The depth is measured
first, on the body with its strings removed, without recursion; a body nested deeper than
API_MAX_JSON_DEPTH is refused with 400 and one larger than API_MAX_BODY_BYTES with 413, both
in the API's error format. No request body of the API is anything but JSON.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from crm.api.exceptions import RequestTooLarge

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
_BRACKET = re.compile(r"[\[\]{}]")


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def max_depth() -> int:
    return int(getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH))


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether JSON `text` nests arrays and objects more than `limit` levels deep.

    Each pass removes the innermost brackets (regular expressions, no recursion), so `limit`
    passes remove everything nested at most `limit` deep. Unbalanced brackets stop the passes
    early and are left for the decoder to report.
    """
    skeleton = _STRING.sub("", text)
    for _pass in range(limit):
        if not _BRACKET.search(skeleton):
            return False
        skeleton, removed = _INNERMOST.subn("", skeleton)
        if not removed:
            return False
    return bool(_BRACKET.search(skeleton))


def too_large_message(limit: int) -> str:
    return _("The request body is larger than %(limit)s bytes.") % {"limit": limit}


class BoundedJSONParser(JSONParser):
    """JSONParser that refuses over-large (413) and over-deep (400) bodies before decoding."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = max_body_bytes()
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        if declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(too_large_message(limit))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(too_large_message(limit))
        try:
            text = raw.decode(parser_context.get("encoding") or settings.DEFAULT_CHARSET)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("The request body is not valid UTF-8 text.")) from None
        depth = max_depth()
        if nested_deeper_than(text, depth):
            raise exceptions.ParseError(
                _("The JSON body is nested more than %(depth)s levels deep.") % {"depth": depth}
            )
        try:
            return json.loads(text, parse_constant=strict_constant if self.strict else None)
        except RecursionError:  # a last line: the depth check above keeps bodies far from it
            raise exceptions.ParseError(
                _("The JSON body is nested more than %(depth)s levels deep.") % {"depth": depth}
            ) from None
        except ValueError as error:
            raise exceptions.ParseError(_("The body is not valid JSON: %(reason)s") % {
                "reason": getattr(error, "msg", "")}) from None


__all__ = ["BoundedJSONParser", "nested_deeper_than"]
