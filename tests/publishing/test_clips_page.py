"""The clips page: list, search, add; refusals beside their field; only the user's clips."""

from __future__ import annotations

import pytest

from publishing.models import Clip

pytestmark = pytest.mark.django_db


def test_the_page_lists_only_the_users_clips(browser, alice_clip, bob_clip):
    page = browser.get("/clips/").content.decode()
    assert "Morning run" in page
    assert "Bob&#x27;s cat" not in page and "Bob's cat" not in page


def test_search_narrows_the_list_and_answers_the_list_alone_for_htmx(browser, alice, alice_clip):
    Clip.objects.create(owner=alice, title="Cooking pasta", media_url="https://cdn.example.com/p.mp4")
    body = browser.get("/clips/?q=PASTA", headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<section id="clip-list">')
    assert "Cooking pasta" in body and "Morning run" not in body
    assert "No clip matches" in browser.get("/clips/?q=nothing").content.decode()


def test_adding_a_clip(browser, alice):
    response = browser.post(
        "/clips/", {"title": " Sunset ", "media_url": "https://cdn.example.com/s.mp4", "thumbnail_url": ""}
    )
    assert response.status_code == 302
    clip = Clip.objects.get(owner=alice)
    assert (clip.title, clip.media_url, clip.thumbnail_url) == ("Sunset", "https://cdn.example.com/s.mp4", "")
    assert "Added “Sunset”." in browser.get("/clips/").content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "title must be 1 to 200 characters."),
        ({"title": "x" * 201}, "title must be 1 to 200 characters."),
        ({"media_url": "http://cdn.example.com/a.mp4"}, "media_url must be an https:// URL."),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an https:// URL."),
        ({"media_url": "https://127.0.0.1/a.mp4"}, "media_url must point at a public host"),
        ({"media_url": "https://169.254.169.254/latest/meta-data"}, "media_url must point at a public host"),
        ({"thumbnail_url": "https://printer.local/t.jpg"}, "thumbnail_url must point at a public host"),
    ],
)
def test_bad_clips_are_refused_beside_the_field(browser, fields, message):
    data = {"title": "Ok", "media_url": "https://cdn.example.com/a.mp4", "thumbnail_url": "", **fields}
    response = browser.post("/clips/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Clip.objects.count() == 0


def test_html_in_a_title_is_shown_escaped(browser, alice):
    Clip.objects.create(owner=alice, title="<script>alert(1)</script>", media_url="https://cdn.example.com/x.mp4")
    page = browser.get("/clips/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_clips_page_requires_login(client):
    assert client.get("/clips/").status_code == 302
    assert client.post("/clips/", {"title": "x"}).status_code == 302
