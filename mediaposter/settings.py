"""One settings file, driven by the environment (and a `.env` file when present).

The defaults give a working local install: SQLite under var/, Redis on localhost, and sandbox
mode against the project's fake Blotato when no BLOTATO_API_KEY is set.
"""

from __future__ import annotations

import logging
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

INSECURE_DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key-change-me"

# Off unless asked for: `make run` (and tests/run.sh) set DEBUG=1; a server never should.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("DEBUG=0 needs a SECRET_KEY of your own in the environment (DEBUG=1 for local use).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# --- HTTPS and browser protections (docs/security.md) ------------------------------------------
# HTTPS (on by default without DEBUG): cookies travel only over HTTPS, browsers are told to use
# HTTPS alone (HSTS), and http:// is redirected. A plain-HTTP install sets HTTPS=0, and hears
# about it on every start and from `check --deploy`.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a monitor on the machine itself may probe over http
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
# Subdomains and the preload list are commitments for the whole domain: opt in, not by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS), ("security.W021", SECURE_HSTS_PRELOAD))
    if not chosen
]
if not DEBUG and not HTTPS:
    logging.getLogger("mediaposter.settings").warning(
        "HTTPS=0: session and CSRF cookies are sent over plain HTTP, and no HSTS. Use it only on a trusted network."
    )

# Behind reverse proxies (nginx, a load balancer), how many: the login throttle then takes the
# client's address from X-Forwarded-For, and HTTPS from X-Forwarded-Proto, as the proxy sets them.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Scripts from this site only, no inline script, no eval. Styles may be inline: htmx injects its
# indicator style and the heatmap colours its swatches with style attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "django_htmx",
    "publishing",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "publishing.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "publishing.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "publishing.middleware.HtmxCachingMiddleware",
]

ROOT_URLCONF = "mediaposter.urls"
WSGI_APPLICATION = "mediaposter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "publishing.context_processors.publisher_status",
                "publishing.notifications_page.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mediaposter.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked" when web, worker and beat overlap.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A worker keeps hundreds of Blotato calls in flight (WORKER_CONCURRENCY threads); each thread
# holding its own PostgreSQL connection would mean hundreds of connections. With a pool the
# threads share DATABASE_POOL_SIZE connections, and a sender gives its connection back while it
# waits for Blotato (publishing/database_pool.py). Django's pool replaces persistent connections.
DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", default=0)
if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_SIZE),
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 30,  # seconds a thread may wait for a free connection before its task fails
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Uploaded clips and their thumbnails. Served to their owner by our own views, never as a public
# directory; docs/media.md says how to point this at S3-style storage instead.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")  # or "s3" (django-storages)


def media_storages(kind: str, environ) -> dict:
    """Django's STORAGES for MEDIA_STORAGE: files under MEDIA_ROOT, or an S3-style bucket."""
    storages = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    if kind == "filesystem":
        storages["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    elif kind == "s3":
        options = {
            "bucket_name": environ.str("MEDIA_S3_BUCKET"),
            "default_acl": "private",  # served through our owner-only views, never publicly
            "querystring_auth": True,
            "file_overwrite": False,
        }
        for option, name in (
            ("region_name", "MEDIA_S3_REGION"),
            ("endpoint_url", "MEDIA_S3_ENDPOINT_URL"),
            ("access_key", "MEDIA_S3_ACCESS_KEY_ID"),
            ("secret_key", "MEDIA_S3_SECRET_ACCESS_KEY"),
            ("location", "MEDIA_S3_PREFIX"),
        ):
            if environ.str(name, default=""):
                options[option] = environ.str(name)
        storages["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    else:
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    return storages


STORAGES = media_storages(MEDIA_STORAGE, env)

# Uploads: every file goes to a temporary file on disk as it arrives (never whole in memory),
# hashed and its type sniffed chunk by chunk, refused as soon as it is too large or not media.
FILE_UPLOAD_HANDLERS = ["publishing.upload_handler.ClipUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=1024**3)  # 1 GB, Blotato's largest plan limit
# 20 MB: TikTok's, the largest image any platform we publish to takes.
MAX_IMAGE_UPLOAD_BYTES = env.int("MAX_IMAGE_UPLOAD_BYTES", default=20 * 1024**2)

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/calendar/"
LOGOUT_REDIRECT_URL = "/login/"

# Largest body the API reads: a metrics CSV of ~150,000 rows; a post is far smaller.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Redis and Celery -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

CELERY_BROKER_URL = REDIS_URL

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Finished calendar answers, shared by every web process (publishing/answer_cache.py). Short
    # socket timeouts: a stalled Redis must make reads slower, not hang them.
    "answers": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mediaposter-answers",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
}
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # correctness does not depend on it: the database claim does
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # bounded by PUBLISH_MAX_ATTEMPTS
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Sending is waiting: a thread spends nearly all of a publish waiting for Blotato's answer, so a
# worker runs many threads (`celery worker -P threads`: one process, little memory) and lateness
# stays flat as Blotato slows down. That needs the database pool above (a connection per thread
# would exhaust PostgreSQL); without one a worker keeps to a few threads, SQLite to fewer. The
# pool is chosen on the command line (run_local, docs/deploy.md): set here it would override -P.
if "pool" in DATABASES["default"].get("OPTIONS", {}):
    _default_concurrency = 100
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _default_concurrency = 8
else:
    _default_concurrency = 4
CELERY_WORKER_CONCURRENCY = env.int("WORKER_CONCURRENCY", default=_default_concurrency)
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Status checks and verifications have a queue of their own, so a backlog of publishes (a busy
# minute) does not hold back the polls that settle earlier posts, and the publish backlog that
# dispatch.hint_due_posts looks at counts publishes only. Workers consume every queue listed.
# Each queue with its own routing key: left out, both would be bound to the default key and get
# a copy of every message.
# Webhook deliveries and notification emails wait on other people's servers (timeouts of
# seconds): a queue of their own, so a slow receiver never holds back a publish or a poll.
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("checks", routing_key="checks"),
    Queue("notify", routing_key="notify"),
    # Uploading a clip's file to Blotato can take minutes: never in front of a publish.
    Queue("media", routing_key="media"),
)
CELERY_TASK_ROUTES = {
    "publishing.poll_post": {"queue": "checks"},
    "publishing.verify_post": {"queue": "checks"},
    "analytics.harvest_engagement": {"queue": "checks"},
    "publishing.deliver_webhook": {"queue": "notify"},
    "publishing.retry_webhooks": {"queue": "notify"},
    "publishing.send_notification_emails": {"queue": "notify"},
    # Bookkeeping ahead of time: never in front of a publish.
    "publishing.extend_series": {"queue": "checks"},
    # A big bulk import is seconds of database work: beside the notifications, never in front
    # of a publish.
    "publishing.commit_import": {"queue": "notify"},
    "publishing.host_clip": {"queue": "media"},
}
# Celery finds each app's tasks.py by itself; these task modules live apart because tasks.py must
# not import the lifecycle, which imports it.
CELERY_IMPORTS = ("publishing.series_tasks", "publishing.import_tasks")

# Whole seconds: django-celery-beat stores intervals as integers.
DISPATCH_INTERVAL_SECONDS = max(1, env.int("DISPATCH_INTERVAL_SECONDS", default=1))
# Posts falling due before the next tick are hinted with their exact instant; the worker waits
# for it, so a post leaves on its second instead of up to a tick later (publishing/tasks.py).
DISPATCH_LOOKAHEAD_SECONDS = env.float("DISPATCH_LOOKAHEAD_SECONDS", default=DISPATCH_INTERVAL_SECONDS + 1.0)
# Posts falling due at the same instant go to a worker in batches of this many: one message, one
# claim UPDATE and one SELECT per batch instead of per post, the sends then side by side on the
# worker's threads (publishing/send_threads.py). Only with a database pool: without one a worker
# has a few threads and sending connections would not be shared, so each post is its own message.
_batch_size = 20 if "pool" in DATABASES["default"].get("OPTIONS", {}) else 1
DISPATCH_BATCH_SIZE = max(1, env.int("DISPATCH_BATCH_SIZE", default=_batch_size))
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # One fixed sweep; never a beat entry or an ETA per post: Redis hands an unacknowledged ETA
    # message to another worker after its visibility timeout, and the database is the schedule.
    "dispatch due posts": {
        "task": "publishing.dispatch_due_posts",
        "schedule": DISPATCH_INTERVAL_SECONDS,
    },
    # The learning loop (analytics/harvest.py): Blotato's snapshots come at checkpoints days
    # apart, so reading more often than twice a day only spends the read budget.
    "harvest engagement": {
        "task": "analytics.harvest_engagement",
        "schedule": max(60, env.int("HARVEST_INTERVAL_SECONDS", default=12 * 3600)),
    },
    "reconcile posts": {
        "task": "publishing.reconcile_posts",
        "schedule": max(1, env.int("RECONCILE_INTERVAL_SECONDS", default=5)),
    },
    # One email per user with notifications waiting: a burst of failures is one digest.
    "send notification emails": {
        "task": "publishing.send_notification_emails",
        "schedule": max(1, env.int("NOTIFICATION_EMAIL_INTERVAL_SECONDS", default=300)),
    },
    # Webhook retries that have come due, and first sends whose hint was lost.
    "retry webhooks": {
        "task": "publishing.retry_webhooks",
        "schedule": max(1, env.int("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=5)),
    },
    # Recurring posts (publishing/series.py): each series' occurrences within the horizon are
    # created ahead; hourly is plenty for a horizon of days, and a double run creates nothing twice.
    "create recurring posts": {
        "task": "publishing.extend_series",
        "schedule": max(60, env.int("SERIES_INTERVAL_SECONDS", default=3600)),
    },
}

# --- Blotato ----------------------------------------------------------------------------------
BLOTATO_API_KEY = env.str("BLOTATO_API_KEY", default="")
# Sandbox mode: no key anywhere, so `make run` talks to the project's fake Blotato on loopback.
BLOTATO_SANDBOX = env.bool("BLOTATO_SANDBOX", default=not BLOTATO_API_KEY)
BLOTATO_SANDBOX_KEY = "sandbox"
BLOTATO_API_URL = env.str(
    "BLOTATO_API_URL",
    default="http://127.0.0.1:5556" if BLOTATO_SANDBOX else "https://backend.blotato.com",
)
BLOTATO_CONNECT_TIMEOUT = env.float("BLOTATO_CONNECT_TIMEOUT", default=5.0)
BLOTATO_READ_TIMEOUT = env.float("BLOTATO_READ_TIMEOUT", default=30.0)
# Blotato allows 30 post creations per key in a fixed 60 s window. A bucket refilling at R per
# minute with a burst of B can spend R + B in one window, so R + B stays at 30. 0 turns it off.
BLOTATO_POSTS_PER_MINUTE = env.float("BLOTATO_POSTS_PER_MINUTE", default=25.0)
BLOTATO_POSTS_BURST = env.int("BLOTATO_POSTS_BURST", default=5)
# Status checks (GET /posts/{id}) and post-list reads (GET /posts) are allowed 60 a minute each;
# one bucket spaces both, so together they stay within either limit.
BLOTATO_CHECKS_PER_MINUTE = env.float("BLOTATO_CHECKS_PER_MINUTE", default=50.0)
BLOTATO_CHECKS_BURST = env.int("BLOTATO_CHECKS_BURST", default=10)

# Hosting uploaded clips on Blotato (publishing/media_hosting.py, docs/media-hosting.md). Files up
# to the inline limit go as a base64 data URI to POST /v2/media; larger ones, up to the maximum,
# through a presigned upload (POST /v2/media/uploads, then PUT). Blotato's documented limit is
# 200 MB at the least (more on some plans); beyond the maximum a clip needs a public URL instead.
MEDIA_HOSTING_INLINE_MAX_BYTES = env.int("MEDIA_HOSTING_INLINE_MAX_BYTES", default=15 * 1024 * 1024)
MEDIA_HOSTING_MAX_BYTES = env.int("MEDIA_HOSTING_MAX_BYTES", default=200 * 1024 * 1024)
MEDIA_HOSTING_MAX_ATTEMPTS = env.int("MEDIA_HOSTING_MAX_ATTEMPTS", default=6)
# The lease outlives the longest upload: a worker that dies mid-upload leaves the clip to another.
MEDIA_HOSTING_LEASE_SECONDS = env.float("MEDIA_HOSTING_LEASE_SECONDS", default=900.0)
MEDIA_HOSTING_READ_TIMEOUT = env.float("MEDIA_HOSTING_READ_TIMEOUT", default=600.0)

# Encrypts stored Blotato keys. Comma-separated Fernet keys, newest first (rotation); when unset
# a key is derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# --- The publishing state machine (see publishing/dispatch.py) ---------------------------------
# The lease outlives the longest legitimate hold: connect + read timeout + database work.
PUBLISH_LEASE_SECONDS = env.float("PUBLISH_LEASE_SECONDS", default=90.0)
PUBLISH_MAX_ATTEMPTS = env.int("PUBLISH_MAX_ATTEMPTS", default=5)
RETRY_BASE_SECONDS = env.float("RETRY_BASE_SECONDS", default=30.0)
RETRY_CAP_SECONDS = env.float("RETRY_CAP_SECONDS", default=900.0)
# How often a submitted post is polled, and how long before it needs a human.
POLL_INTERVAL_SECONDS = env.float("POLL_INTERVAL_SECONDS", default=10.0)
POLL_DEADLINE_SECONDS = env.float("POLL_DEADLINE_SECONDS", default=3600.0)
# An unknown outcome (lost answer, timeout, 5xx) is looked for in Blotato's post list for this
# long before its owner is asked (needs_review): Blotato lists a post only once it has processed
# it, and videos take minutes. By the media the post carries (dispatch.verify_window).
VERIFY_WINDOW_SECONDS = {
    "text": env.float("VERIFY_WINDOW_TEXT_SECONDS", default=600.0),
    "image": env.float("VERIFY_WINDOW_IMAGE_SECONDS", default=1200.0),
    "video": env.float("VERIFY_WINDOW_VIDEO_SECONDS", default=2700.0),
}
# The first searches are this far apart; the gap doubles every five searches up to the maximum.
VERIFY_INTERVAL_SECONDS = env.float("VERIFY_INTERVAL_SECONDS", default=20.0)
VERIFY_INTERVAL_MAX_SECONDS = env.float("VERIFY_INTERVAL_MAX_SECONDS", default=120.0)
# A publish hint older than this is sent again by the sweep (a lost broker message).
REHINT_AFTER_SECONDS = env.float("REHINT_AFTER_SECONDS", default=60.0)
# ...but not while more messages than this wait in the queue: the old hint is then most likely
# still queued, and re-sending the backlog would only multiply it.
REHINT_MAX_BACKLOG = env.int("REHINT_MAX_BACKLOG", default=100)
# While due posts wait to be sent, status checks and searches wait too, but never more than this
# many seconds past their time (reconcile.checks_wait_for_sends); 0 turns the rule off.
CHECKS_WAIT_FOR_SENDS_SECONDS = env.int("CHECKS_WAIT_FOR_SENDS_SECONDS", default=30)
DEFAULT_LATE_GRACE_MINUTES = env.int("DEFAULT_LATE_GRACE_MINUTES", default=30)
# "Add to queue" keeps at least this long between two posts on one account (a per-user setting).
DEFAULT_QUEUE_GAP_MINUTES = env.int("DEFAULT_QUEUE_GAP_MINUTES", default=30)
# Recurring posts: occurrences are created this far ahead, and at most this many per series at a
# time (a daily series fills 14 of them in 14 days); the rest wait for the next run.
SERIES_HORIZON_DAYS = max(1, env.int("SERIES_HORIZON_DAYS", default=14))
SERIES_HORIZON_OCCURRENCES = max(1, env.int("SERIES_HORIZON_OCCURRENCES", default=31))
# Bulk import (publishing/bulk_import.py, docs/import.md): the largest file and the most rows
# one import takes, and the most rows the import page commits while you wait (more go to a worker).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)
IMPORT_INLINE_ROWS = env.int("IMPORT_INLINE_ROWS", default=200)

# --- The learning loop (analytics/harvest.py) ---------------------------------------------------
# Posts published this many days back are harvested (the last checkpoint is day 30).
HARVEST_LOOKBACK_DAYS = env.int("HARVEST_LOOKBACK_DAYS", default=35)
# Blotato takes its readings up to a few hours after each checkpoint: ask this long after it.
HARVEST_CHECKPOINT_DELAY_SECONDS = env.float("HARVEST_CHECKPOINT_DELAY_SECONDS", default=3 * 3600)

# --- Notifications and webhooks (publishing/notifications.py, webhooks.py) ----------------------
# Email through Django's framework, configured by one URL: consolemail:// prints to the console
# (the default), smtp+tls://user:password@host:587 sends through a server (django-environ's forms).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MediaPoster <mediaposter@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where this install is reached, for the links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:5555")
# Deliveries to private, loopback, link-local or reserved addresses are refused unless this is on
# (a receiver on your own network); plain http:// URLs are refused unless WEBHOOKS_ALLOW_HTTP.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_CAP_SECONDS = env.float("WEBHOOK_RETRY_CAP_SECONDS", default=3600.0)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_READ_TIMEOUT_SECONDS = env.float("WEBHOOK_READ_TIMEOUT_SECONDS", default=10.0)

# Failed logins (publishing/login_throttle.py): per username, per client address, in a window.
LOGIN_FAILURES_PER_USERNAME = env.int("LOGIN_FAILURES_PER_USERNAME", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
# Beat dispatches and reconciles every second, so Celery's own per-task lines (beat's "Sending due
# task", the worker's "received" and "succeeded") would be four INFO lines a second. They are
# shown only at LOG_LEVEL=DEBUG; what a person wants (a post sent, published or failed, a key
# refused, a worker lost) is logged by publishing/ at INFO and by Celery at WARNING and above.
PER_TICK_LEVEL = "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "urllib3": {"level": "WARNING"},
        "celery.beat": {"level": PER_TICK_LEVEL},
        "celery.worker.strategy": {"level": PER_TICK_LEVEL},
        "celery.app.trace": {"level": PER_TICK_LEVEL},
    },
}

# Lets the chaos tests kill a worker at a named point (publishing/crashpoints.py). Never in production.
TESTING_FAULTS = env.bool("TESTING_FAULTS", default=False)
