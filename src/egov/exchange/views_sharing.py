"""Staff pages of data sharing (/staff/exchange/sharing/): the requests and grants of the
organizations a staff member acts for (both sides), asking for 信息项, the provider's decision item by
item, withdrawal and revocation. Thin: a permission-checked fetch, one action, the response."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core import workdays
from egov.core.errors import NotFound
from egov.core.views import step_post
from egov.exchange import actions, forms_sharing, selectors
from egov.exchange.actions.grants import provider_of, valid_until_of
from egov.exchange.actions.requests import MOVE_LABELS
from egov.exchange.actions.subscriptions import dead_letters_replay
from egov.exchange.models import InformationResource
from egov.exchange.permissions import may_act_for
from egov.workflow.selectors import urgency_of, work_calendar

PAGE_SIZE = 20


def _or_404(fetch):
    try:
        return fetch()
    except NotFound as error:
        raise Http404(error.message) from None


def _days_left(request_row, today, calendar):
    if request_row.status != "pending" or request_row.decision_due_on is None:
        return None
    return workdays.working_days_between(today, request_row.decision_due_on, calendar=calendar)


class _Row:
    """A request with its badge (``workflow/_badge.html`` reads ``urgency``, ``days_left``, ``overdue_days``)."""

    def __init__(self, request_row, days_left):
        self.request = request_row
        self.days_left = days_left
        self.urgency = urgency_of(days_left, paused=False)
        self.overdue_days = -days_left if days_left is not None and days_left < 0 else 0


def _page_of(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(form) -> str:
    data = {name: value for name, value in (form.cleaned_data.items() if form.is_valid() else ()) if value}
    return urlencode(data)


@staff_required
def request_list(request):
    """The requests of my organizations, both sides, filtered by side, state and organization."""
    organizations = list(selectors.sharing_organizations(user=request.user))
    form = forms_sharing.RequestFilterForm(request.GET or None, organizations=organizations)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.requests_visible(user=request.user, side=data.get("side") or "", state=data.get("state") or "",
                                      organization=data.get("organization"))
    page = _page_of(request, rows)
    today, calendar = timezone.localdate(), work_calendar()
    return render(request, "exchange/sharing/request_list.html", {
        "form": form, "page": page, "query": _query(form), "organizations": organizations,
        "rows": [_Row(row, _days_left(row, today, calendar)) for row in page],
    })


@staff_required
def request_new(request):
    """Ask for 信息项: choose a resource (GET ``resource``), then the items and what for (POST)."""
    organizations = list(selectors.sharing_organizations(user=request.user))
    if not organizations:
        raise DjangoPermissionDenied(_("Only data stewards and operators ask for shared data."))
    code = request.POST.get("resource") or request.GET.get("resource") or ""
    resource = InformationResource.objects.filter(code=code).first() if code else None
    if resource is None:
        choice = forms_sharing.ResourceChoiceForm(request.GET or None, resources=selectors.requestable_resources())
        return render(request, "exchange/sharing/request_new.html", {"choice": choice})
    others = [o for o in organizations if o.uscc != resource.provider_code]
    if request.method != "POST":
        form = forms_sharing.RequestForm(resource=resource, organizations=others)
        return render(request, "exchange/sharing/request_new.html", {"resource": resource, "form": form})
    form = forms_sharing.RequestForm(request.POST, resource=resource, organizations=others)

    def run(data):
        consumer = next(o for o in others if o.pk == data["consumer"])
        return actions.request_submit(actor=request.user, consumer=consumer, resource=resource,
                                      fields=data["items"], purpose=data["purpose"],
                                      case_number=data["case_number"], legal_basis=data["legal_basis"],
                                      idempotency_key=data["idempotency_key"])

    def again(bound, status):
        return render(request, "exchange/sharing/request_new.html", {"resource": resource, "form": bound},
                      status=status)

    return step_post(request, form=form, run=run, done=_("Sharing request sent."),
                     next_url=lambda row: reverse("exchange_sharing:request", args=[row.number]), again=again)


def _items_with_grants(row) -> list[tuple]:
    """The request's items, each with ``(grant, valid until, state)`` of the grant that holds it, or
    ``None`` (not granted): one answer per item of what the consumer may read and until when."""
    grants = selectors.request_item_grants(row)
    out = []
    for item in row.items.all():
        grant = grants.get(item.field) if item.outcome == "granted" else None
        out.append((item, (grant, valid_until_of(grant), selectors.grant_state(grant)) if grant else None))
    return out


def _request_page(request, row, *, decision=None, withdraw=None, status=200):
    provider_side = may_act_for(request.user, row.provider)
    consumer_side = may_act_for(request.user, row.consumer)
    pending = row.status == "pending"
    if pending and provider_side and decision is None:
        decision = forms_sharing.DecisionForm(request=row)
    if pending and consumer_side and withdraw is None:
        withdraw = forms_sharing.WithdrawForm()
    today = timezone.localdate()
    days_left = _days_left(row, today, work_calendar())
    return render(request, "exchange/sharing/request_detail.html", {
        "row": row, "badge": _Row(row, days_left), "items": _items_with_grants(row),
        "grants": [(grant, valid_until_of(grant), selectors.grant_state(grant)) for grant in row.grants.all()],
        "events": [(event, MOVE_LABELS.get(event.move, event.move)) for event in row.events.all()],
        "decision": decision if pending and provider_side else None,
        "withdraw": withdraw if pending and consumer_side else None,
    }, status=status)


@staff_required
def request_detail(request, number: str):
    """A request: its items and outcomes, its grants, its timeline; the decision form for the
    provider, withdrawal for the consumer while it waits."""
    return _request_page(request, _or_404(lambda: selectors.request_get(user=request.user, number=number)))


@staff_required
@require_POST
def request_decide(request, number: str):
    """The provider's decision, item by item."""
    row = _or_404(lambda: selectors.request_get(user=request.user, number=number))
    form = forms_sharing.DecisionForm(request.POST, request=row)

    def again(bound, status):
        row.refresh_from_db()
        return _request_page(request, row, decision=bound, status=status)

    return step_post(request, form=form, run=lambda data: actions.request_decide(
        actor=request.user, request=row, decisions=form.decisions(), valid_until=data["valid_until"]),
        done=_("Decision recorded."), next_url=reverse("exchange_sharing:request", args=[row.number]), again=again)


@staff_required
@require_POST
def request_withdraw(request, number: str):
    """The consumer withdraws a request still waiting."""
    row = _or_404(lambda: selectors.request_get(user=request.user, number=number))

    def again(bound, status):
        row.refresh_from_db()
        return _request_page(request, row, withdraw=bound, status=status)

    return step_post(request, form=forms_sharing.WithdrawForm(request.POST),
                     run=lambda data: actions.request_withdraw(actor=request.user, request=row),
                     done=_("Sharing request withdrawn."),
                     next_url=reverse("exchange_sharing:request", args=[row.number]), again=again)


@staff_required
def grant_list(request):
    """Grants to and from my organizations, filtered by side, state and organization."""
    organizations = list(selectors.sharing_organizations(user=request.user))
    form = forms_sharing.GrantFilterForm(request.GET or None, organizations=organizations)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.grants_visible(user=request.user, side=data.get("side") or "", state=data.get("state") or "",
                                    organization=data.get("organization"))
    page = _page_of(request, rows)
    return render(request, "exchange/sharing/grant_list.html", {
        "form": form, "page": page, "query": _query(form),
        "rows": [(grant, valid_until_of(grant), selectors.grant_state(grant)) for grant in page],
    })


def _grant_page(request, grant, *, revoke=None, status=200):
    provider = provider_of(grant.resource)
    state = selectors.grant_state(grant)
    may_revoke = state == "in_force" and may_act_for(request.user, provider)
    return render(request, "exchange/sharing/grant_detail.html", {
        "grant": grant, "state": state, "valid_until": valid_until_of(grant), "items": grant.items.all(),
        "revoke": (revoke or forms_sharing.RevokeForm()) if may_revoke else None,
    }, status=status)


@staff_required
def grant_detail(request, grant_id: int):
    """A grant: its items, purpose, basis, conditions, validity; the revocation form for the provider."""
    return _grant_page(request, _or_404(lambda: selectors.grant_get(user=request.user, grant_id=grant_id)))


@staff_required
@require_POST
def grant_revoke(request, grant_id: int):
    """The provider revokes a grant with a reason."""
    grant = _or_404(lambda: selectors.grant_get(user=request.user, grant_id=grant_id))

    def again(bound, status):
        grant.refresh_from_db()
        return _grant_page(request, grant, revoke=bound, status=status)

    return step_post(request, form=forms_sharing.RevokeForm(request.POST),
                     run=lambda data: actions.grant_revoke(actor=request.user, grant=grant, reason=data["reason"]),
                     done=_("Grant revoked."), next_url=reverse("exchange_sharing:grant", args=[grant.pk]),
                     again=again)


# --- subscriptions (订阅): delivery status and the dead-letter list -------------------------------------


@staff_required
def subscription_list(request):
    """Subscriptions of and to my organizations, each with its delivery status."""
    rows = selectors.subscriptions_visible(user=request.user)
    page = _page_of(request, rows)
    return render(request, "exchange/sharing/subscription_list.html", {
        "page": page, "query": "", "rows": [(row, selectors.subscription_status(row)) for row in page]})


def _subscription_page(request, subscription, *, status=200):
    may_replay = may_act_for(request.user, provider_of(subscription.resource))
    return render(request, "exchange/sharing/subscription_detail.html", {
        "subscription": subscription, "status": selectors.subscription_status(subscription),
        "dead": list(selectors.dead_letters(subscription)[:200]), "may_replay": may_replay,
        "attempts": list(subscription.attempts.all()[:20]),
    }, status=status)


@staff_required
def subscription_detail(request, subscription_id: int):
    """A subscription: its delivery status, the last attempts and the dead letters (the provider replays them)."""
    return _subscription_page(request, _or_404(lambda: selectors.subscription_get(
        user=request.user, subscription_id=subscription_id)))


@staff_required
@require_POST
def subscription_replay(request, subscription_id: int):
    """The provider replays one dead letter or all of them."""
    subscription = _or_404(lambda: selectors.subscription_get(user=request.user, subscription_id=subscription_id))

    def replay(data):
        one = data.get("delivery")
        return dead_letters_replay(actor=request.user, subscription=subscription,
                                   delivery_ids=[one] if one else None)

    return step_post(request, form=forms_sharing.ReplayForm(request.POST), run=replay,
                     done=_("Dead letters replayed: they are delivered again in order."),
                     next_url=reverse("exchange_sharing:subscription", args=[subscription.pk]),
                     again=lambda bound, status: _subscription_page(request, subscription, status=status))
