from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from publishing.api import unknown_endpoint
from publishing.health import healthz
from publishing.login_throttle import ThrottledAdminLoginForm, ThrottledLoginView

admin.site.login_form = ThrottledAdminLoginForm  # the admin's login is rate limited the same way

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("publishing.api_urls")),
    path("api/", include("analytics.api_urls")),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint),
    path("healthz", healthz),
    path("analytics/", include("analytics.urls")),
    path("", include("publishing.urls")),
    path("", RedirectView.as_view(url="/calendar/", permanent=False)),
]
