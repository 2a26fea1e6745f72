from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.workflow.actions import process_definition_upload, process_definitions_install_shipped


class Command(BaseCommand):
    help = ("Process definitions. 'egov workflow upload FILE' stores a new version of a BPMN 2.0 file; "
            "'egov workflow install' stores the shipped definitions that changed.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        upload = sub.add_parser("upload", help="store a new version of a .bpmn file")
        upload.add_argument("file")
        upload.add_argument("--name", default="", help="name shown to staff (default: the process name)")
        sub.add_parser("install", help="store the shipped definitions that changed")

    def handle(self, *args, subcommand, **options):
        try:
            if subcommand == "install":
                created = process_definitions_install_shipped(actor=SYSTEM)
            else:
                path = Path(options["file"])
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    raise CommandError(f"{path}: {exc.strerror}", returncode=2) from None
                created = [process_definition_upload(actor=SYSTEM, bpmn_xml=content, name=options["name"])]
        except ApplicationError as error:
            raise CommandError(error.message, returncode=2) from None
        for definition in created:
            self.stdout.write(f"{definition.key} v{definition.version}: {definition.name}")
        if not created:
            self.stdout.write("all shipped definitions are current")
