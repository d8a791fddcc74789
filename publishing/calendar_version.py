"""Which version of a user's calendar range a reader would see: the API's ETag and cache key.

Every write to a post moves its updated_at forward (models.ChangeStampField), so the ordered list
of (id, updated_at) of the owner's posts in a range changes whenever one of them changes, arrives
or leaves. Its digest names an answer exactly: it is the cache key of the finished answer
(answer_cache.py) and the ETag a client revalidates with.

The digest covers every post in the range whatever the filters: a filtered answer is then sometimes
rebuilt when a post it leaves out changes, but its version needs the same one statement, whose SQL
never varies, so the cached read does not pay for compiling a query.
"""

from __future__ import annotations

from hashlib import md5

from django.db import connection
from django.db.models import CharField, Func
from django.db.models.functions import Cast

from .models import ScheduledPost
from .timeparse import iso_utc


def calendar_version(owner, start, end, filters: dict) -> str:
    asked = f"{owner.pk} {iso_utc(start)} {iso_utc(end)} {sorted(filters.items())!r}"
    described = f"{asked} {rows_digest(owner, start, end)}"
    return md5(described.encode()).hexdigest()


def rows_digest(owner, start, end) -> str:
    """md5 of "id updated_at" for each of the owner's posts in [start, end), in calendar order.

    PostgreSQL computes it where the rows are, from SQL written out: the ORM spent five times the
    CPU compiling the equivalent aggregate as PostgreSQL took to run it, on every cached read
    (docs/reliability.md, §3). Elsewhere (SQLite) Python makes the same sum of the same text.
    """
    if connection.vendor != "postgresql":
        return rows_digest_in_python(owner, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT md5(coalesce(string_agg(id::varchar || ' ' || updated_at::varchar, ','
                                           ORDER BY scheduled_time, id), ''))
            FROM {ScheduledPost._meta.db_table}
            WHERE owner_id = %s AND scheduled_time >= %s AND scheduled_time < %s
            """,
            [owner.pk, start, end],
        )
        return cursor.fetchone()[0]


def rows_digest_in_python(owner, start, end) -> str:
    posts = posts_in_range(owner, start, end).values_list(ROW_STAMP, flat=True)
    return md5(",".join(posts).encode()).hexdigest()


def posts_in_range(owner, start, end):
    """The owner's posts in [start, end), in the calendar's order."""
    posts = ScheduledPost.objects.owned_by(owner).filter(scheduled_time__gte=start, scheduled_time__lt=end)
    return posts.order_by("scheduled_time", "id")


# "id updated_at" as text, the same text the SQL above makes on PostgreSQL.
ROW_STAMP = Func(
    Cast("id", CharField()),
    Cast("updated_at", CharField()),
    template="%(expressions)s",
    arg_joiner=" || ' ' || ",
    output_field=CharField(),
)
