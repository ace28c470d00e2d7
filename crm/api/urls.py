"""The API under /api/v1/: one router; each app registers its endpoints in `register()`."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from compliance.api.urls import register as register_compliance
from crm.api.views import TokenObtainView
from customers.api.urls import register as register_customers

router = DefaultRouter()
router.include_format_suffixes = False
register_compliance(router)
register_customers(router)

app_urlpatterns: list = [path("loyalty/", include("loyalty.api.urls"))]

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token-obtain"),
    *app_urlpatterns,
    path("", include(router.urls)),
]
