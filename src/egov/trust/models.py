"""The platform CA (政务CA), its certificates, electronic seals, signed documents and timestamps.

Private keys are kept in the database as PKCS #12 blobs encrypted with the CA passphrase
(``egov.trust.keys``); nothing here holds a key in clear.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.orgs.models import Organization
from egov.orgs.roles import Role


class Certificate(models.Model):
    """One X.509 certificate (RFC 5280) issued by the platform CA, with its encrypted key.

    ``purpose`` fixes the profile (key usage, extended key usage) it was issued with
    (``egov.trust.profiles``). ``serial`` is the certificate's serial number in lower-case hex.
    A certificate is revoked when ``revoked_at`` is set; ``revocation_reason`` is an RFC 5280
    §5.3.1 CRLReason name.
    """

    class Purpose(models.TextChoices):
        ROOT_CA = "root_ca", _("Root CA")
        ISSUING_CA = "issuing_ca", _("Issuing CA")
        SEAL = "seal", _("Organization seal")  # 电子印章
        STAFF = "staff", _("Staff signing")  # 个人签名
        NODE = "node", _("Exchange node (TLS)")  # 交换节点
        TSA = "tsa", _("Timestamping authority")  # 时间戳
        OCSP = "ocsp", _("OCSP responder")

    class Reason(models.TextChoices):
        # RFC 5280 §5.3.1 (certificateHold is not offered: revocation here is final)
        UNSPECIFIED = "unspecified", _("Unspecified")
        KEY_COMPROMISE = "key_compromise", _("Key compromise")
        CA_COMPROMISE = "ca_compromise", _("CA compromise")
        AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")
        SUPERSEDED = "superseded", _("Superseded")
        CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")
        PRIVILEGE_WITHDRAWN = "privilege_withdrawn", _("Privilege withdrawn")

    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, db_index=True)
    issuer = models.ForeignKey(
        "CertificateAuthority", verbose_name=_("issuer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="issued",
    )
    serial = models.CharField(_("serial number"), max_length=42)
    subject = models.CharField(_("subject"), max_length=500)
    common_name = models.CharField(_("common name"), max_length=200)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="certificates",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("holder"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="certificates",
    )
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    der = models.BinaryField(_("certificate (DER)"))
    key_p12 = models.BinaryField(_("encrypted key (PKCS #12)"))
    renewed_from = models.ForeignKey(
        "self", verbose_name=_("renews"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=30, choices=Reason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-not_before"]
        constraints = [models.UniqueConstraint(fields=["issuer", "serial"], name="certificate_serial_per_issuer")]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.common_name} ({self.get_purpose_display()}, {self.serial[:16]})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificateAuthority(models.Model):
    """A CA of the platform: the root (self-signed) or the issuing CA under it.

    ``slug`` names it in URLs (``/trust/crl/<slug>.crl``, ``/trust/ca/<slug>.cer``). The latest CRL
    (RFC 5280 §5) is kept here with its number; ``egov.trust.responders.crl_current`` renews it
    before ``crl_next_update``.
    """

    class Kind(models.TextChoices):
        ROOT = "root", _("Root CA")
        ISSUING = "issuing", _("Issuing CA")

    slug = models.SlugField(_("name in URLs"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="authority")
    crl_number = models.PositiveBigIntegerField(_("last CRL number"), default=0)
    crl_der = models.BinaryField(_("last CRL (DER)"), null=True, blank=True)
    crl_this_update = models.DateTimeField(null=True, blank=True)
    crl_next_update = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self) -> str:
        return self.certificate.common_name


class Seal(models.Model):
    """An organization's electronic seal (电子印章): an image bound to a seal certificate.

    One active seal per organization and kind. ``image_png`` is drawn from the organization's
    name (``egov.trust.seal_image``) or uploaded; roles allowed to use the seal are its ``grants``.
    """

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official seal")  # 公章
        CONTRACT = "contract", _("Contract seal")  # 合同专用章
        BUSINESS = "business", _("Business seal")  # 业务专用章
        FINANCE = "finance", _("Finance seal")  # 财务专用章
        DOCUMENT = "document", _("Official-document seal")  # 公文专用章

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                                     related_name="seals")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("text on the seal"), max_length=100)
    image_png = models.BinaryField(_("seal image (PNG)"))
    image_uploaded = models.BooleanField(_("uploaded image"), default=False)
    certificate = models.ForeignKey(Certificate, verbose_name=_("seal certificate"), on_delete=models.PROTECT,
                                    related_name="seals")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], condition=models.Q(is_active=True),
                                    name="one_active_seal_per_kind")
        ]
        verbose_name = _("electronic seal")
        verbose_name_plural = _("electronic seals")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()}"


class SealGrant(models.Model):
    """Holders of ``role`` in the seal's organization may use the seal."""

    seal = models.ForeignKey(Seal, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seal", "role"], name="one_grant_per_role")]
        verbose_name = _("seal grant")
        verbose_name_plural = _("seal grants")

    def __str__(self) -> str:
        return f"{self.seal}: {self.role}"


class SignedDocument(models.Model):
    """A PDF signed on the platform, found again by the verification code printed on it.

    ``pdf`` is the latest signed version (countersignatures replace it); ``sha256`` is its hex
    digest. ``code`` is 16 characters of Crockford base32 in groups of four (``7K3M-…``).
    """

    code = models.CharField(_("verification code"), max_length=19, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    pdf = models.BinaryField(_("signed PDF"))
    signatures = models.PositiveIntegerField(_("signatures"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")

    def __str__(self) -> str:
        return self.code


class TimestampToken(models.Model):
    """One RFC 3161 timestamp issued by the platform's TSA (its log of issued tokens).

    ``serial`` is the token's serial number in hex: 128 random bits, unique per token (§2.4.2).
    """

    serial = models.CharField(max_length=40, unique=True)
    gen_time = models.DateTimeField(_("time"))
    hash_algorithm = models.CharField(max_length=20)
    message_imprint = models.CharField(max_length=128)
    client_ip = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = _("timestamp")
        verbose_name_plural = _("timestamps")

    def __str__(self) -> str:
        return f"{self.serial} {self.gen_time:%Y-%m-%d %H:%M:%S}"
