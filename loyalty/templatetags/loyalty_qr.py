"""`{{ code|qr_svg }}`: a check-in code as a QR code the RM's phone reads at the door, drawn as
inline SVG by the portal (segno, pure Python; no image service, no CDN)."""

from __future__ import annotations

import segno
from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def qr_svg(code: str, scale: int = 3):
    """The QR code of `code` as an inline <svg> with the code as its title (empty for none)."""
    if not code:
        return ""
    svg = segno.make(str(code), error="m").svg_inline(scale=int(scale), title=str(code))
    return format_html('<span class="qr" data-testid="check-in-qr">{}</span>', mark_safe(svg))  # noqa: S308
