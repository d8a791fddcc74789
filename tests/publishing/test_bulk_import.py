"""Bulk import: reading files, each row checked by the schedule rules, dry run vs all-or-nothing commit."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from publishing import queue
from publishing.bad_input import BadInput
from publishing.bulk_import import ImportRefused, check_rows, commit_rows
from publishing.import_files import read_file
from publishing.lifecycle import PostPlan
from publishing.models import Clip, ScheduledPost, SocialAccount
from publishing.posting_slots import WeeklySlot

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday, 13:00 in Paris (alice's zone)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def rows_of(text: str, **kwargs):
    return read_file(text.encode(), **kwargs)[1]


def errors_by_row(check) -> dict[int, list[tuple[str, str]]]:
    return {row.number: [(e.column, e.message) for e in row.errors] for row in check.rows if row.errors}


GOOD_AND_BAD = f"""caption,platforms,time,youtube.title
Hello,twitter,2026-12-01T09:00:00Z,
Too early,twitter,2026-11-01T09:00:00Z,
Local time,"twitter,bluesky",2026-12-02 10:30,
No clip for YouTube,youtube;myspace,2026-12-03T09:00:00+01:00,{"t" * 101}
"""


def test_dry_run_lists_every_error_with_its_row_and_column_and_writes_nothing(alice):
    check = check_rows(alice, rows_of(GOOD_AND_BAD), now=NOW)

    assert not check.ok and check.error_rows == [3, 5]
    errors = errors_by_row(check)
    assert errors[3] == [("time", "time 2026-11-01T09:00:00Z is in the past; pick a future time or use next_slot.")]
    assert [column for column, _ in errors[5]] == ["platforms"]
    assert "Unknown platform 'myspace'" in errors[5][0][1]
    good = check.rows[2]
    assert [(p.platform, p.at, p.from_slot) for p in good.posts] == [
        ("twitter", paris(2026, 12, 2, 10, 30), False),
        ("bluesky", paris(2026, 12, 2, 10, 30), False),
    ]
    assert ScheduledPost.objects.count() == 0


def test_several_errors_in_one_row_are_all_listed(alice, bob_clip):
    text = f"caption,platforms,time,clip,youtube.title\n{'x' * 300},twitter,yesterday,{bob_clip.pk},{'t' * 101}\n"
    check = check_rows(alice, rows_of(text), now=NOW)

    columns = [column for column, _ in errors_by_row(check)[2]]
    assert columns == ["clip", "time", "caption", "youtube.title"]
    messages = dict(errors_by_row(check)[2])
    assert messages["clip"] == f"No clip with id {bob_clip.pk}."  # another user's clip: as if it did not exist
    assert "280" in messages["caption"]


def test_an_error_names_the_column_as_the_file_wrote_it(alice, alice_clip):
    header = "Caption,Platforms,Time,Clip,tiktok.privacy_level"
    text = f"{header}\nhi,tiktok,2020-01-01T00:00:00Z,{alice_clip.pk},EVERYONE\n"
    check = check_rows(alice, rows_of(text), now=NOW)
    assert [column for column, _ in errors_by_row(check)[2]] == ["Time", "tiktok.privacy_level"]
    assert "must be one of SELF_ONLY" in errors_by_row(check)[2][1][1]


def test_commit_with_one_bad_row_writes_nothing(alice):
    with pytest.raises(ImportRefused) as refused:
        commit_rows(alice, rows_of(GOOD_AND_BAD), now=NOW)

    assert refused.value.check.error_rows == [3, 5]
    assert "rows 3, 5" in str(refused.value)
    assert ScheduledPost.objects.count() == 0 and Clip.objects.count() == 0


def test_commit_creates_each_rows_posts_as_one_group(alice, alice_clip):
    text = (
        "caption,platforms,time,clip,youtube.title,tiktok.privacy_level\n"
        f"Run,youtube|tiktok,2026-12-01T09:00:00Z,{alice_clip.pk},Morning run,SELF_ONLY\n"
        "Words,twitter,2026-12-01T10:00:00Z,,,\n"
    )
    check = commit_rows(alice, rows_of(text), now=NOW)

    assert check.ok and check.post_count == 3
    youtube, tiktok = ScheduledPost.objects.filter(clip=alice_clip).order_by("platform").reverse()
    assert youtube.options == {"title": "Morning run"} and tiktok.options == {"privacyLevel": "SELF_ONLY"}
    assert youtube.group_id == tiktok.group_id
    assert ScheduledPost.objects.get(platform="twitter").group_id != youtube.group_id


def test_a_media_url_makes_one_clip_and_reuses_an_existing_one(alice, alice_clip):
    text = (
        "caption,platforms,time,media_url\n"
        "a,tiktok,2026-12-01T09:00:00Z,https://cdn.example.com/new.mp4\n"
        "b,tiktok,2026-12-01T10:00:00Z,https://cdn.example.com/new.mp4\n"
        f"c,tiktok,2026-12-01T11:00:00Z,{alice_clip.media_url}\n"
    )
    dry = check_rows(alice, rows_of(text), now=NOW)
    assert [row.new_clip for row in dry.rows] == [True, True, False]
    assert Clip.objects.count() == 1

    commit_rows(alice, rows_of(text), now=NOW)

    new = Clip.objects.get(media_url="https://cdn.example.com/new.mp4", owner=alice)
    assert new.title == "new.mp4"
    assert [p.clip_id for p in ScheduledPost.objects.order_by("scheduled_time")] == [new.pk, new.pk, alice_clip.pk]


def test_a_private_media_url_is_refused_in_its_column(alice):
    check = check_rows(
        alice, rows_of("caption,platforms,time,media_url\na,tiktok,next_slot,https://10.0.0.1/a.mp4\n"), now=NOW
    )
    [(column, message)] = errors_by_row(check)[2]
    assert column == "media_url" and "public host" in message


def test_accounts_by_name_id_or_username_pick_the_account(alice):
    second = SocialAccount.objects.create(owner=alice, platform="twitter", blotato_account_id="9001", name="Brand")
    text = (
        "caption,accounts,time\n"
        "one,Brand,2026-12-01T09:00:00Z\n"
        "two,@demo_bluesky|9001,2026-12-01T09:00:00Z\n"
        "three,nobody,2026-12-01T09:00:00Z\n"
    )
    check = check_rows(alice, rows_of(text), now=NOW)

    assert [p.account for p in check.rows[0].posts] == [second]
    assert [(p.platform, p.account.blotato_account_id) for p in check.rows[1].posts] == [
        ("bluesky", SocialAccount.objects.get(owner=alice, platform="bluesky").blotato_account_id),
        ("twitter", "9001"),
    ]
    assert errors_by_row(check)[4][0][0] == "accounts"


class TestNextSlot:
    @pytest.fixture
    def twitter(self, alice) -> SocialAccount:
        account = SocialAccount.objects.get(owner=alice, platform="twitter")
        # Every day at 09:00 and 18:00 Paris; the queue gap is 30 minutes.
        queue.replace_slots(account, {WeeklySlot(d, time(h)) for d in range(7) for h in (9, 18)})
        return account

    def test_rows_take_free_slots_in_file_order_the_same_in_dry_run_and_commit(self, alice, twitter):
        ScheduledPost.objects.create(
            owner=alice, platform="twitter", account=twitter, caption="there", scheduled_time=paris(2026, 11, 25, 18)
        )
        text = (
            "caption,platforms,time\n"
            "first,twitter,next_slot\n"
            "pinned,twitter,2026-11-26T09:10:00+01:00\n"  # within the gap of Thursday 09:00
            "second,twitter,Next Slot\n"
            "third,twitter,next_slot\n"
        )
        dry = check_rows(alice, rows_of(text), now=NOW)
        times = [[p.at for p in row.posts] for row in dry.rows]

        assert times == [
            [paris(2026, 11, 26, 9)],
            [paris(2026, 11, 26, 9, 10)],
            [paris(2026, 11, 26, 18)],
            [paris(2026, 11, 27, 9)],
        ]
        assert [row.posts[0].from_slot for row in dry.rows] == [True, False, True, True]

        commit_rows(alice, rows_of(text), now=NOW)

        stored = dict(
            ScheduledPost.objects.filter(caption__in=["first", "second", "third"]).values_list(
                "caption", "scheduled_time"
            )
        )
        assert stored == {"first": times[0][0], "second": times[2][0], "third": times[3][0]}
        # And the queue, asked next, goes on after the import's posts.
        assert queue.free_slot_times(twitter, now=NOW)[0] == paris(2026, 11, 27, 18)

    @pytest.mark.django_db(transaction=True)
    def test_an_import_and_an_add_to_queue_at_the_same_moment_take_different_slots(self, alice, twitter):
        start = threading.Barrier(2)
        errors: list[BaseException] = []
        rows = rows_of("caption,platforms,time\nimported 1,twitter,next_slot\nimported 2,twitter,next_slot\n")

        def run(step) -> None:
            try:
                start.wait()
                step()
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connection.close()

        plan = PostPlan("twitter", twitter)
        steps = [
            lambda: commit_rows(alice, rows, now=NOW),
            lambda: queue.queue_posts(alice, plans=[plan], clip=None, caption="queued", now=NOW),
        ]
        threads = [threading.Thread(target=run, args=(step,)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        times = sorted(ScheduledPost.objects.values_list("scheduled_time", flat=True))
        assert times == [paris(2026, 11, 25, 18), paris(2026, 11, 26, 9), paris(2026, 11, 26, 18)]

    def test_an_account_without_slots_is_an_error_in_the_time_column(self, alice):
        check = check_rows(alice, rows_of("caption,platforms,Time\nhi,bluesky,next_slot\n"), now=NOW)
        [(column, message)] = errors_by_row(check)[2]
        assert column == "Time" and "no free posting slot" in message


class TestFiles:
    def test_a_utf8_bom_and_semicolons_are_read(self, alice):
        text = "\ufeffcaption;platforms;time\nCafé, crème;twitter;2026-12-01T09:00:00Z\n"
        kind, rows = read_file(text.encode("utf-8"), name="posts.csv")

        assert kind == "csv"
        assert rows[0].cells == {"caption": "Café, crème", "platforms": "twitter", "time": "2026-12-01T09:00:00Z"}
        assert check_rows(alice, rows, now=NOW).ok

    def test_a_file_over_the_size_limit_is_refused(self, settings):
        settings.IMPORT_MAX_BYTES = 100
        with pytest.raises(BadInput) as refused:
            read_file(b"caption,platforms,time\n" + b"x" * 200)
        assert refused.value.status == 413 and "at most 100 bytes" in refused.value.message

    def test_too_many_rows_are_refused(self, settings):
        settings.IMPORT_MAX_ROWS = 2
        with pytest.raises(BadInput, match="3 rows; an import takes at most 2"):
            read_file(b"caption,platforms,time\na,twitter,next_slot\nb,twitter,next_slot\nc,twitter,next_slot\n")

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "The file is empty"),
            (b"\xef\xbb\xbf  \n", "The file is empty"),
            (b"caption,platforms\xff", "not UTF-8 text (byte 18"),
            (b"Hello,twitter,2026-12-01T09:00:00Z\n", "must be a header naming the columns"),
            (b"caption,platforms,colour\nhi,twitter,red\n", "Unknown column 'colour' in the header"),
            (b"caption,youtube.colour\nhi,red\n", "youtube has no option 'colour'"),
            (b"caption,caption\nhi,ho\n", "The column caption appears twice"),
            (b"caption,platforms,time\n\n", "a header but no posts"),
            (b'{"posts": []}', 'only "rows"'),
            (b"[]", "the list is empty"),
            (b'{"rows": "hello"}', "A JSON import is a list of posts"),
            (b'[{"caption": "a", "platforms": ["twitter"]}, "b"]', "Row 2 is a string"),
            (b'[{"caption": "a", "colour": "red"}]', "Unknown column 'colour' in row 1"),
            (b'[{"caption": "a",}]', "Malformed JSON"),
        ],
    )
    def test_what_is_wrong_with_a_file_is_said_once(self, content, message):
        with pytest.raises(BadInput) as refused:
            read_file(content)
        assert message in refused.value.message

    def test_a_json_file_takes_lists_and_booleans_as_they_are(self, alice, alice_clip):
        rows = [
            {
                "caption": "Run",
                "platforms": ["youtube"],
                "time": "2026-12-01T09:00:00Z",
                "clip": str(alice_clip.pk),
                "options": {"youtube": {"title": "Run", "isMadeForKids": False}},
            },
            {"caption": "Bad", "platforms": "twitter", "time": 5},
        ]
        check = check_rows(alice, rows_of(json.dumps({"rows": rows})), now=NOW)

        assert check.rows[0].wanted.plans[0].options == {"title": "Run", "isMadeForKids": False}
        assert [row.number for row in check.rows] == [1, 2]
        assert errors_by_row(check)[2][0][0] == "time"

    def test_a_row_with_more_cells_than_columns_is_an_error_of_that_row(self, alice):
        check = check_rows(alice, rows_of("caption,platforms,time\nhi,twitter,next_slot,oops\n"), now=NOW)
        assert "3 columns" in errors_by_row(check)[2][0][1]

    def test_blank_lines_are_skipped_and_rows_keep_the_spreadsheets_numbers(self, alice):
        check = check_rows(
            alice, rows_of("caption,platforms,time\n\nhi,twitter,2026-12-01T09:00:00Z\n,,\nho,twitter,\n"), now=NOW
        )
        assert [row.number for row in check.rows] == [3, 5]
        assert errors_by_row(check) == {5: [("time", "time is required (a date and time, or next_slot).")]}


def test_a_rows_time_more_than_a_year_ahead_is_refused(alice):
    far = (NOW + timedelta(days=400)).isoformat()
    check = check_rows(alice, rows_of(f"caption,platforms,time\nhi,twitter,{far}\n"), now=NOW)
    assert errors_by_row(check)[2] == [("time", "time is more than a year ahead.")]
