"""The ``egov`` command: Django's management commands with egov's settings.

``egov demo``, ``egov serve``, ``egov worker``, ``egov audit verify``, ``egov smoke`` and every
Django command (``egov migrate``, ``egov createsuperuser``…). A configuration that cannot start
prints one line and exits with status 2.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"egov: {exc}", file=sys.stderr)
        sys.exit(2)
    execute_from_command_line(["egov", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
