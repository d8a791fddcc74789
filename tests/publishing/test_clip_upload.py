"""Uploading clips: through the API (multipart) and the clips page; type, size, dedupe, facts.

Every file here is real (a PNG from Pillow, MP4s from ffmpeg) and goes through Django's real
multipart parser and our upload handler; the files land in the run's own MEDIA_ROOT.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from publishing.models import Clip

from .media_samples import mp4_file, png_bytes

pytestmark = pytest.mark.django_db


def upload(client, name: str, content: bytes, content_type="application/octet-stream", **fields):
    return client.post("/api/clips", {"file": SimpleUploadedFile(name, content, content_type), **fields})


def stored_files() -> list[str]:
    root = Path(default_storage.location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # each test sees only the files it stored


def test_a_png_uploaded_through_the_api_becomes_a_clip_with_its_facts_and_thumbnail(alice_api, alice):
    content = png_bytes(640, 360)
    response = upload(alice_api, "beach.png", content, "image/png", title="Beach")
    assert response.status_code == 201, response.content
    body = response.json()
    clip = Clip.objects.get(owner=alice)
    assert body["id"] == str(clip.pk) and body["title"] == "Beach"
    assert (body["kind"], body["content_type"], body["width"], body["height"]) == ("image", "image/png", 640, 360)
    assert body["aspect_ratio"] == pytest.approx(16 / 9, abs=0.001)
    assert body["size_bytes"] == len(content) and clip.content_hash == hashlib.sha256(content).hexdigest()
    assert body["media_url"] == ""  # hosted on Blotato later, by the hosting job
    assert clip.file.name.endswith(f"{clip.pk}.png")  # our name, not the user's
    thumbnail = alice_api.get(body["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as image:
        assert image.format == "JPEG" and image.size == (320, 180)
    served = alice_api.get(body["file_url"])
    assert served["Content-Type"] == "image/png" and b"".join(served.streaming_content) == content


def test_an_mp4_gets_its_duration_dimensions_and_a_frame_as_thumbnail(alice_api, tmp_path):
    video = mp4_file(tmp_path, seconds=2, size="320x240")
    body = upload(alice_api, "run.mp4", video.read_bytes(), "video/mp4").json()
    assert (body["kind"], body["content_type"], body["width"], body["height"]) == ("video", "video/mp4", 320, 240)
    assert body["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert body["title"] == "run"  # the file's name when no title is given
    assert body["thumbnail"] and body["facts_note"] is None
    with Image.open(io.BytesIO(b"".join(alice_api.get(body["thumbnail"]).streaming_content))) as image:
        assert image.size == (320, 240)


def test_a_phone_video_filmed_upright_counts_as_vertical(alice_api, tmp_path):
    video = mp4_file(tmp_path, seconds=1.5, size="320x180", rotate=90)
    body = upload(alice_api, "upright.mp4", video.read_bytes(), "video/mp4").json()
    assert (body["width"], body["height"]) == (180, 320)
    assert body["aspect_ratio"] == pytest.approx(0.5625)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "setup.exe is a Windows program, not an image or a video"),
        ("clip.mp4", b"%PDF-1.7\n" + b"x" * 100, "clip.mp4 is a PDF document, not an image or a video"),
        ("notes.txt", b"just some words", "notes.txt is a .txt, not an image or a video"),
        ("photo.jpg", b"not a photo at all" * 300, "photo.jpg is not an image or a video we can post"),
        ("empty.png", b"", "empty.png is empty."),
    ],
)
def test_a_file_that_is_not_media_by_its_content_is_refused_and_nothing_is_stored(alice_api, name, content, message):
    # The declared type says image/png: only the content counts.
    response = upload(alice_api, name, content, "image/png")
    assert response.status_code == 415, response.content
    assert message in response.json()["error"]
    assert response.json()["details"] == {"file": "type"}
    assert not Clip.objects.exists() and stored_files() == []


@pytest.mark.parametrize(
    "extra, message",
    [
        # The request's Content-Length is already past the limit: refused before the file is written.
        (512 * 1024, "long.mp4 is about 1.5 MB; the largest upload is 1 MB."),
        # Within the request's margin: refused by counting the bytes as they arrive.
        (10 * 1024, "long.mp4 is more than 1 MB; the largest upload is 1 MB."),
    ],
)
def test_a_file_too_large_is_refused_with_its_size_and_the_limit(alice_api, settings, extra, message):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    content = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (1024 * 1024 + extra)
    response = upload(alice_api, "long.mp4", content, "video/mp4")
    assert response.status_code == 413
    assert response.json() == {"error": message, "details": {"file": "too_large"}}
    assert not Clip.objects.exists() and stored_files() == []


def test_an_image_has_its_own_smaller_limit(alice_api, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1024
    response = upload(alice_api, "big.png", png_bytes(800, 800, "white") + b"\x00" * 4096, "image/png")
    assert response.status_code == 413
    assert "the largest image upload is 1 KB." in response.json()["error"]


def test_the_same_file_twice_is_one_clip_and_one_stored_file(alice_api, alice):
    content = png_bytes(100, 100, "blue")
    first = upload(alice_api, "a.png", content, title="First")
    again = upload(alice_api, "copy of a.png", content, title="Second")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["note"] == "Already uploaded as “First”."
    assert Clip.objects.filter(owner=alice).count() == 1
    assert len([f for f in stored_files() if f.startswith("clips/")]) == 1


def test_two_users_uploading_the_same_file_each_get_their_own_clip(alice_api, bob_api, alice, bob):
    content = png_bytes(50, 50)
    assert upload(alice_api, "a.png", content).status_code == 201
    assert upload(bob_api, "a.png", content).status_code == 201
    assert Clip.objects.filter(owner=bob).count() == Clip.objects.filter(owner=alice).count() == 1


@pytest.mark.parametrize(
    "files, fields, message",
    [
        ({}, {"title": "x"}, "Send exactly one file, in a multipart field named file."),
        ({"video": png_bytes(10, 10)}, {}, "Unknown field(s): video; send file and title."),
        ({"file": png_bytes(10, 10)}, {"title": "t" * 201}, "title must be 1 to 200 characters."),
        ({"file": png_bytes(10, 10)}, {"media_url": "https://x.example/a.mp4"}, "Unknown field(s): media_url"),
    ],
)
def test_a_malformed_upload_is_a_400_naming_the_problem(alice_api, files, fields, message):
    data = {name: SimpleUploadedFile("a.png", content) for name, content in files.items()} | fields
    response = alice_api.post("/api/clips", data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Clip.objects.exists() and stored_files() == []


def test_the_json_url_form_still_works(alice_api):
    response = alice_api.post(
        "/api/clips", {"title": "Link", "media_url": "https://cdn.example.com/a.mp4"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["file_url"] is None and response.json()["kind"] == "video"


def test_the_page_form_uploads_without_javascript(browser, alice):
    response = browser.post("/clips/upload", {"file": SimpleUploadedFile("Sunset.png", png_bytes(), "image/png")})
    assert response.status_code == 302
    clip = Clip.objects.get(owner=alice)
    page = browser.get("/clips/").content.decode()
    assert "Uploaded “Sunset”." in page
    assert f'src="/api/clips/{clip.pk}/thumbnail.jpg"' in page and "640×360 (16:9)" in page


def test_the_page_form_shows_a_refusal_with_its_status(browser):
    response = browser.post("/clips/upload", {"file": SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 50)})
    assert response.status_code == 415
    assert "virus.exe is a Windows program, not an image or a video" in response.content.decode()


def test_only_the_owner_sees_an_uploaded_file(alice_api, client, bob):
    body = upload(alice_api, "a.png", png_bytes()).json()
    client.force_login(bob)
    assert client.get(body["file_url"]).status_code == 404
    assert client.get(body["thumbnail"]).status_code == 404
    client.logout()
    assert client.get(body["file_url"]).status_code == 401


def test_a_video_whose_facts_cannot_be_read_is_kept_with_a_note(alice_api):
    content = b"\x00\x00\x00\x18ftypmp42" + os.urandom(2048)  # an MP4 by its header, garbage after
    response = upload(alice_api, "broken.mp4", content)
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "video" and body["duration_s"] is None and body["thumbnail"] is None
    assert body["facts_note"].startswith("Could not read this video")


def test_the_database_holds_one_clip_per_file_per_owner_and_any_number_of_links(alice, bob):
    Clip.objects.create(owner=alice, title="A", content_hash="ab" * 32)
    Clip.objects.create(owner=bob, title="A", content_hash="ab" * 32)
    Clip.objects.create(owner=alice, title="Link 1", media_url="https://cdn.example.com/1.mp4")
    Clip.objects.create(owner=alice, title="Link 2", media_url="https://cdn.example.com/2.mp4")
    with pytest.raises(IntegrityError), transaction.atomic():
        Clip.objects.create(owner=alice, title="A again", content_hash="ab" * 32)
