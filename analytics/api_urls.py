from django.urls import path

from . import api

urlpatterns = [
    path("optimal-posting-times/platform/<str:platform>", api.platform_times),
    path("optimal-posting-times/recommend", api.recommend),
    path("analytics/metrics", api.metrics),
]
