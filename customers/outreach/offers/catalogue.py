"""The product catalogue: what a product's settings must satisfy beyond its fields' own
validation (the service and the admin form both ask)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.models import CORPORATE_SEGMENTS, CREDIT_PRODUCTS, RETAIL_SEGMENTS, CustomerKind, Product

SEGMENTS_BY_KIND = {CustomerKind.INDIVIDUAL: set(RETAIL_SEGMENTS),
                    CustomerKind.CORPORATE: set(CORPORATE_SEGMENTS)}


def product_validate(product: Product) -> None:
    """Raise ValidationError by field for an age range the wrong way round, age limits on a
    product only for corporates, a minimum credit rating on a product that lends nothing, or
    segments outside the product's kinds."""
    errors = {}
    if product.min_age is not None and product.max_age is not None and product.min_age > product.max_age:
        errors["max_age"] = _("The maximum age must not be below the minimum age.")
    has_age_limit = product.min_age is not None or product.max_age is not None
    if has_age_limit and product.kinds == [CustomerKind.CORPORATE]:
        errors["min_age"] = _("Age limits apply to individuals; this product is only for corporates.")
    if product.min_credit_rating and product.product_type not in CREDIT_PRODUCTS:
        errors["min_credit_rating"] = _("Only credit products take a minimum credit rating.")
    if product.kinds and product.segments:
        allowed = set().union(*(SEGMENTS_BY_KIND[kind] for kind in product.kinds))
        if set(product.segments) - allowed:
            errors["segments"] = _("These segments do not belong to the product's kinds of customer.")
    if errors:
        raise ValidationError(errors)
