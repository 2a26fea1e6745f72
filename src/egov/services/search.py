"""Finding service items by what people type: words of the name (Chinese or English) or its pinyin
(``services.pinyin``: ``gsdj`` and ``gongsi`` find 公司登记). Read by the portal's one search."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from egov.services.models import ServiceItem
from egov.services.pinyin import pinyin_query

# At most this many items are found and counted for one query (a city's catalogue has a few thousand).
ITEMS_MAX = 1000


def service_item_search(*, query: str, organization_id: int | None = None) -> QuerySet[ServiceItem]:
    """Published items whose name holds every space-separated word of ``query`` (Chinese or English
    name, any case), or whose name's pinyin or initials begin with ``query`` read as pinyin
    (``pinyin_query``: at least two letters, tone marks and spaces dropped).

    Best first: the name is the query (0), begins with it (1), holds every word (2), the pinyin
    begins with it (3), the initials do (4); then catalogue order. Annotates ``match`` with that
    number. The caller slices (at most ``ITEMS_MAX`` are meant to be read).

    Args:
        query: what was typed, already without markup and cut to the search's length.
        organization_id: only items implemented by this organization.
    """
    text = (query or "").strip()
    words = text.split()
    if not words:
        return ServiceItem.objects.none()
    by_name = Q()
    for word in words:
        by_name &= Q(name__icontains=word) | Q(name_en__icontains=word)
    pinyin = pinyin_query(text)
    by_pinyin = (Q(name_pinyin__startswith=pinyin) | Q(name_initials__startswith=pinyin)) if pinyin else Q(pk__in=[])
    items = ServiceItem.objects.filter(is_published=True).filter(by_name | by_pinyin).select_related("organization")
    if organization_id is not None:
        items = items.filter(organization_id=organization_id)
    ranks = [When(Q(name__iexact=text) | Q(name_en__iexact=text), then=Value(0)),
             When(Q(name__istartswith=text) | Q(name_en__istartswith=text), then=Value(1)),
             When(by_name, then=Value(2))]
    if pinyin:
        ranks += [When(name_pinyin__startswith=pinyin, then=Value(3)), When(name_initials__startswith=pinyin,
                                                                             then=Value(4))]
    return (items.annotate(match=Case(*ranks, default=Value(5), output_field=IntegerField()))
            .order_by("match", "organization__path", "sort_order", "code"))


def service_item_example() -> ServiceItem | None:
    """A published main item to name as the example of a search by pinyin initials (the kiosk's
    keypad, the search page's hint): the one with the fewest initials (at least two), then catalogue
    order; ``None`` in a catalogue without one. Taken from the catalogue so that the hint's example
    finds an item (tester21: the hints said ``gsdj`` finds 公司登记, which the demo city has not, and
    following them found nothing)."""
    return (ServiceItem.objects.filter(is_published=True, parent__isnull=True)
            .annotate(initials_length=Length("name_initials")).filter(initials_length__gte=2)
            .select_related("organization")
            .order_by("initials_length", "organization__path", "sort_order", "code").first())
