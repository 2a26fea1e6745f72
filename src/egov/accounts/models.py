from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Creates users; the audited way for people is ``egov.accounts.actions``."""

    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **fields):
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, kind=User.Kind.STAFF)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Every account: a natural person, a legal person or a staff member (``kind``).

    ``username`` is how the account signs in: the resident ID number of a natural person, the
    USCC of a legal person, a login name for staff. ``name`` is the full name in any Unicode
    character, CJK Extension B and beyond included (a ``varchar`` in UTF-8 on PostgreSQL).
    ``is_staff`` only opens Django's admin; staff work is authorized by ``orgs`` roles.

    Real-name verification (实名认证, issue 17): ``verification_method`` is empty while a public
    account is unverified, else how its holder's identity was confirmed (``Verification``), with
    ``verified_at``; ``verification_reference`` says against what (the register's resource or
    ``"register"``, the clerk and the identity document checked at the window). An unverified
    account may browse and track but not apply or request (``permissions.require_verified_public_user``).
    """

    class Verification(models.TextChoices):
        REGISTER = "register", _("Population or legal-entity register")  # 基础信息库比对
        OIDC = "oidc", _("Provincial identity provider")  # 省统一身份认证
        IN_PERSON = "in_person", _("In person at a service window")  # 窗口现场核验

    class Kind(models.TextChoices):
        NATURAL = "natural", _("Natural person")  # 自然人
        LEGAL = "legal", _("Legal person")  # 法人
        STAFF = "staff", _("Staff")  # 工作人员

    username = models.CharField(_("sign-in name"), max_length=150, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    verification_method = models.CharField(_("real-name verification"), max_length=10, blank=True,
                                           choices=Verification.choices)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_reference = models.CharField(_("verified against"), max_length=200, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    @property
    def is_real_name_verified(self) -> bool:
        """True when the account's holder is verified (实名认证) by any method."""
        return bool(self.verification_method)


class NaturalPerson(models.Model):
    """A citizen's public account (自然人), identified by the resident ID number (GB 11643-1999).

    ``division_code`` is the address code printed in the number, kept as printed even when it has
    since been retired (it resolves through ``orgs.selectors.division_successors``).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="natural_person")
    id_number = models.CharField(_("resident ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=[("M", _("male")), ("F", _("female"))])
    division_code = models.CharField(_("address code"), max_length=6)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("natural person")
        verbose_name_plural = _("natural persons")

    def __str__(self) -> str:
        return self.name


class LegalPerson(models.Model):
    """An enterprise's or institution's public account (法人), identified by its USCC (GB 32100-2015)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="legal_person")
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("legal person")
        verbose_name_plural = _("legal persons")

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A natural person named by a legal person to act for it (经办人), until revoked."""

    legal_person = models.ForeignKey(LegalPerson, on_delete=models.CASCADE, related_name="agents")
    person = models.ForeignKey(NaturalPerson, on_delete=models.CASCADE, related_name="agencies")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["legal_person", "person"], condition=models.Q(revoked_at__isnull=True), name="one_active_agent"
            )
        ]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return f"{self.person} → {self.legal_person}"


class Attempt(models.Model):
    """One sign-in that failed or was held back, or one account opened, with where it came from:
    what ``egov.accounts.throttling`` counts. Rows older than a day are pruned (``accounts.attempts_prune``).

    ``account`` is the sign-in name as typed, case-folded (at most 150 characters; "" for
    registrations); ``address`` the client's address (``egov.core.clients.client_address``).
    """

    class Kind(models.TextChoices):
        SIGNIN_FAILED = "signin_failed", _("Sign-in with a wrong password")
        SIGNIN_HELD = "signin_held", _("Sign-in held back")
        REGISTRATION = "registration", _("Account opened")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    account = models.CharField(_("sign-in name"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "at"], name="accounts_attempt_kind_at"),
            models.Index(fields=["kind", "address", "at"], name="accounts_attempt_address"),
            models.Index(fields=["kind", "account", "address", "at"], name="accounts_attempt_pair"),
        ]
        verbose_name = _("sign-in or registration attempt")

    def __str__(self) -> str:
        return f"{self.kind} {self.account} {self.address} {self.at:%Y-%m-%d %H:%M:%S}"
