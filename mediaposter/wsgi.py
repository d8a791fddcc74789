import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediaposter.settings")
application = get_wsgi_application()

# What is loaded by now (Django, our modules, settings, URL patterns) lives as long as the process.
# Out of the collector's reach, a full collection during a request no longer walks all of it:
# those took 60–90 ms each and were the optimal-times API's whole p99 (docs/benchmarks.md).
gc.freeze()
