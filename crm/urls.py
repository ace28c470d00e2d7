"""Root URLconf: pages, admin, API, schema and docs, health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm import views
from crm.forms import PortalAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        login_not_required(
            auth_views.LoginView.as_view(
                authentication_form=PortalAuthenticationForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("customers/", include("customers.urls")),
    path("customers/", include("customers.intake.urls")),
    path("campaigns/", include("customers.campaign_urls")),
    path("compliance/", include("compliance.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("s/", include("loyalty.public_urls")),
    # The language is chosen on the sign-in page too; nothing else under i18n/ is served.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crm.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # OPTIONS has nothing to describe on the docs page (its HTML renderer cannot answer it).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(
        url_name="api-schema", http_method_names=["get", "head"]), name="api-docs"),
]

handler400 = "crm.errors.bad_request"
handler404 = "crm.errors.not_found"
handler500 = "crm.errors.server_error"
handler403 = "crm.errors.forbidden"
