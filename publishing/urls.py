from django.urls import path

from . import calendar_export, clips_page, queue_pages, schedule_dialog, settings_page, views

app_name = "publishing"
urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/export.ics", calendar_export.export_ics, name="export_ics"),
    path("calendar/export.csv", calendar_export.export_csv, name="export_csv"),
    path("calendar/feed/<str:token>.ics", calendar_export.feed, name="calendar_feed"),
    path("calendar/new", schedule_dialog.new_post, name="new_post"),
    path("calendar/new/clips", schedule_dialog.clip_choices, name="clip_choices"),
    path("calendar/new/times", schedule_dialog.time_suggestions, name="time_suggestions"),
    path("calendar/posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("calendar/posts/<uuid:post_id>/move", views.move_post, name="move_post"),
    path("calendar/posts/<uuid:post_id>/<str:action>", views.post_action, name="post_action"),
    path("clips/", clips_page.clips_page, name="clips"),
    path("settings/", settings_page.settings_page, name="settings"),
    path("settings/profile", settings_page.save_profile, name="save_profile"),
    path("settings/zone-offer", settings_page.answer_zone_offer, name="answer_zone_offer"),
    path("settings/pause", settings_page.pause_publishing, name="pause_publishing"),
    path("settings/resume", settings_page.resume_publishing, name="resume_publishing"),
    path("settings/missed-while-paused", settings_page.reschedule_missed, name="reschedule_missed"),
    path("settings/blotato-key", settings_page.save_blotato_key, name="save_blotato_key"),
    path("settings/blotato-key/remove", settings_page.remove_blotato_key, name="remove_blotato_key"),
    path("settings/accounts/sync", settings_page.sync_accounts, name="sync_accounts"),
    path("settings/tokens", settings_page.create_token, name="create_token"),
    path("settings/tokens/<int:token_id>/revoke", settings_page.revoke_token, name="revoke_token"),
    path("settings/calendar-feed", settings_page.create_calendar_feed, name="create_calendar_feed"),
    path("settings/calendar-feed/revoke", settings_page.revoke_calendar_feed, name="revoke_calendar_feed"),
    path("slots/", queue_pages.slots_page, name="slots"),
    path("slots/<int:account_id>", queue_pages.save_slots, name="save_slots"),
    path("slots/<int:account_id>/best-times", queue_pages.propose_best_times, name="propose_best_times"),
    path("queue/", queue_pages.queue_page, name="queue"),
    path("queue/<int:account_id>/move", queue_pages.move_in_queue, name="move_in_queue"),
    path("queue/<int:account_id>/shuffle", queue_pages.shuffle_queue, name="shuffle_queue"),
]
