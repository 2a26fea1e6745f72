"""``egov oidc``: the OpenID Connect provider's clients (agencies' systems signing people in through egov).

    egov oidc client add --name NAME --redirect-uri URI [--redirect-uri URI…] [--scope SCOPE…]
                         [--organization ID] [--public]
        registers a system (audited as ``oidc.client.add`` by ``egov oidc client add``) and prints its
        client_id and, for a confidential client, its secret (shown once, stored hashed).
    egov oidc client list
        one line per client: client_id, name, allowed scopes, redirect URIs.

Bad input prints one line and exits with status 2.
"""

from django.core.management.base import BaseCommand, CommandError

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.oidc.actions import oidc_client_add
from egov.oidc.models import ClientPolicy
from egov.orgs.models import Organization


class Command(BaseCommand):
    help = "OpenID Connect clients: 'egov oidc client add' registers an agency's system, 'egov oidc client list'."

    def add_arguments(self, parser):
        parser.add_argument("noun", choices=["client"])
        parser.add_argument("verb", choices=["add", "list"])
        parser.add_argument("--name", default="")
        parser.add_argument("--redirect-uri", action="append", default=[], dest="redirect_uris")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help="openid, profile, identity, staff (repeat; openid is always included)",
        )
        parser.add_argument("--organization", type=int, help="id of the agency running the system")
        parser.add_argument("--public", action="store_true", help="a public client: PKCE, no secret")

    def handle(self, *args, noun, verb, **options):
        if verb == "list":
            for policy in ClientPolicy.objects.select_related("application").order_by("application__name"):
                application = policy.application
                self.stdout.write(
                    f"{application.client_id}\t{application.name}\t{policy.scopes}\t{application.redirect_uris}"
                )
            return
        organization = None
        if options["organization"] is not None:
            organization = Organization.objects.filter(pk=options["organization"]).first()
            if organization is None:
                raise CommandError(f"--organization: no organization {options['organization']}", returncode=2)
        try:
            application, secret = oidc_client_add(
                actor=SYSTEM,
                actor_label="egov oidc client add",
                name=options["name"],
                redirect_uris=options["redirect_uris"],
                scopes=options["scopes"] or ["openid", "profile"],
                organization=organization,
                confidential=not options["public"],
            )
        except ApplicationError as error:
            flag = {"redirect_uris": "--redirect-uri", "scopes": "--scope"}.get(error.extra.get("field"), "--name")
            raise CommandError(f"{flag}: {error.message}", returncode=2) from None
        self.stdout.write(f"client_id={application.client_id}")
        if secret:
            self.stdout.write(f"client_secret={secret}  (shown once; stored hashed)")
