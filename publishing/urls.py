from django.urls import path

from . import clips_page, edit_dialog, schedule_dialog, settings_page, views

app_name = "publishing"
urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/new", schedule_dialog.new_post, name="new_post"),
    path("calendar/new/clips", schedule_dialog.clip_choices, name="clip_choices"),
    path("calendar/new/times", schedule_dialog.time_suggestions, name="time_suggestions"),
    path("calendar/posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("calendar/posts/<uuid:post_id>/move", views.move_post, name="move_post"),
    path("calendar/posts/<uuid:post_id>/edit", edit_dialog.edit_post, name="edit_post"),
    path("calendar/posts/<uuid:post_id>/duplicate", edit_dialog.duplicate_post, name="duplicate_post"),
    path("calendar/posts/<uuid:post_id>/<str:action>", views.post_action, name="post_action"),
    path("clips/", clips_page.clips_page, name="clips"),
    path("settings/", settings_page.settings_page, name="settings"),
    path("settings/profile", settings_page.save_profile, name="save_profile"),
    path("settings/blotato-key", settings_page.save_blotato_key, name="save_blotato_key"),
    path("settings/blotato-key/remove", settings_page.remove_blotato_key, name="remove_blotato_key"),
    path("settings/accounts/sync", settings_page.sync_accounts, name="sync_accounts"),
    path("settings/tokens", settings_page.create_token, name="create_token"),
    path("settings/tokens/<int:token_id>/revoke", settings_page.revoke_token, name="revoke_token"),
]
