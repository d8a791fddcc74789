from django.urls import path

from . import views

app_name = "publishing"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_id>/move", views.move_post, name="move_post"),
    path("posts/<uuid:post_id>/<str:action>", views.post_action, name="post_action"),
]
