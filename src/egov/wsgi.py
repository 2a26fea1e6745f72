"""The WSGI application gunicorn serves (``egov serve``, ``egov demo``): each worker imports this
module as it starts, before it takes a request."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_wsgi_application()

# The search's segmentation dictionary (jieba) and OpenCC's table, loaded now rather than by the
# first search after a start (which then took over 2 s). Commands that never search do not load them.
from egov.documents.search import dictionary_load  # noqa: E402 (needs the settings above)

dictionary_load()
