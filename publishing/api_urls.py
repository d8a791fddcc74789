from django.urls import path

from . import api, imports_api, media_views, openapi, queue_api, series_api, slots_api, webhooks_api

urlpatterns = [
    path("publishing/schedule", api.schedule),
    path("publishing/calendar", api.calendar),
    path("publishing/calendar/<str:post_id>", api.calendar_post),
    path("publishing/calendar/<str:post_id>/retry", api.retry),
    path("publishing/calendar/<str:post_id>/review", api.review),
    path("publishing/imports", imports_api.imports),
    path("publishing/webhooks", webhooks_api.webhook_list),
    path("publishing/webhooks/<str:webhook_id>", webhooks_api.webhook_detail),
    path("publishing/calendar/<str:post_id>/undo-cancel", api.undo_cancel),
    path("publishing/series", series_api.series_list),
    path("publishing/series/<str:series_id>", series_api.series_detail),
    path("clips", api.clips, name="api_clips"),
    path("clips/<uuid:clip_id>/file", media_views.clip_file, name="clip_file"),
    path("clips/<uuid:clip_id>/thumbnail.jpg", media_views.clip_thumbnail, name="clip_thumbnail"),
    path("accounts", api.account_list),
    path("accounts/sync", api.account_sync),
    path("publishing/accounts/<str:account_id>/slots", slots_api.account_slots),
    path("publishing/accounts/<str:account_id>/queue", queue_api.account_queue),
    path("publishing/accounts/<str:account_id>/queue/shuffle", queue_api.shuffle_queue),
    path("me", api.me),
    path("openapi.json", openapi.document),
]
