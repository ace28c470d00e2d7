"""The API under /api/v1/: one router; each app registers its endpoints in `register()`."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from crm.api.views import TokenObtainView

router = DefaultRouter()
router.include_format_suffixes = False

app_urlpatterns: list = []

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token-obtain"),
    *app_urlpatterns,
    path("", include(router.urls)),
]
