"""Full-text search of official documents in Chinese.

Chinese is written without spaces, so words are found first: jieba segments the title and the body
once, when they are written (``search_fields_fill``, called by the actions that write them), into
``search_title`` and ``search_body``: lowercase words separated by single spaces, with a space at
each end. jieba's search-engine mode also emits the shorter dictionary words inside a long one, so
推进电子政务建设 is stored as `` 推进 电子 子政 政务 电子政务 建设 `` and both 政务 and 电子政务 find it.
Queries are segmented in precise mode (电子政务 stays one word). Both use the dictionary only (no
HMM guessing of unknown words), so that a word is cut the same way in a query as in a document.

Before it is cut, text is normalized the same way on both sides (``normalize``): Unicode NFKC, so
that full-width letters and digits are the ordinary ones (ＰＤＦ → PDF, ２０２６ → 2026), then
traditional → simplified Chinese (OpenCC ``t2s``: 政務公開 → 政务公开). A query is first stripped of
markup tags (``<b>政务</b>`` searches 政务, not the word "b"). Documents stored before the
normalization were segmented again by migration ``0007_search_normalized``.

On PostgreSQL the two columns are read by ``to_tsvector('simple', …)`` (no stemming, no stop
words: the words are already cut), title with weight A, body with weight D, into a stored generated
column ``search_vector`` with a GIN index (migration ``0004_search_index``); a query is
``plainto_tsquery('simple', …)``: every word must occur. Elsewhere (SQLite, the embedded default)
every word must occur as a whole word in one of the columns (``LIKE '% word %'``), which reads every
row: about a third of a second for 20,000 documents (bench/README.md).

A query that is a 发文字号 in any written form (锡政发〔2026〕1号, 錫政發〔2026〕1號, 锡政发[2026]1号,
锡政发（２０２６）１号, with or without spaces, with or without its closing 号: 锡政发〔2026〕1, never 11号)
finds the document holding it, and a 机关代字 alone (锡政发,
錫政發) the documents under it, newest first: both match ``OfficialDocument.number_key``, the number's
one comparable form (``numbers.number_key``), the same way on every database.

Ranking, on both: documents with every word in the title first; then, on PostgreSQL, ``ts_rank``;
then the newest (成文日期, then id). At most ``RESULTS_MAX`` (1,000) hits are counted and can be paged
through; beyond that the count reads "1,000+" (``SearchResults.total_capped``) and the reader is asked
to add words. On PostgreSQL this bounds the work whatever the query (issue 18, item 5: p95 < 100 ms
at 100,000 documents; ``search_candidates_postgresql``): the title matches come first from a title
index, the body matches from the newest by 成文日期 with a LIMIT, and ``ts_rank`` orders only those
at most 1,000 candidates, so a word in nearly every document does not rank 100,000 rows.

Highlighting escapes the text first and then wraps each query word in ``<mark>``, so neither a
document nor a query can inject markup.
"""

import html
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from egov.core.errors import ValidationFailed
from egov.documents.models import OfficialDocument
from egov.documents.numbers import number_key, simplified

# A query is cut to this many characters before it is segmented (the page says so), and to this many words.
QUERY_MAX_CHARS = 100
QUERY_MAX_WORDS = 16
# Hits counted and shown at most (the count then reads "1,000+"); on PostgreSQL also the candidates ranked.
RESULTS_MAX = 1000
SNIPPET_CHARS = 160
_SNIPPET_LEAD = 40

# Words too common to search for: a query made only of them finds nothing rather than everything.
STOP_WORDS = frozenset({
    "的", "了", "和", "与", "及", "或", "是", "在", "对", "把", "被", "为", "之", "其", "等", "以", "于", "而",
    "并", "也", "就", "都", "这", "那", "有", "我", "你", "他", "她", "它", "们", "个", "着", "吗", "呢", "吧",
    "a", "an", "and", "of", "or", "the", "to", "in", "on", "for",
})

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; punctuation and spaces separate words
_BLOCK_END = re.compile(r"</(?:p|td|th|tr|li|h[1-6])\s*>|<br\s*/?>", re.I)
_jieba_lock = threading.Lock()
_tokenizer = None


def _jieba():
    """jieba's tokenizer, its dictionary loaded once per process (``dictionary_load``, at the start
    of a server's worker) and without its chatter on stderr."""
    global _tokenizer
    if _tokenizer is None:
        with _jieba_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def dictionary_load() -> None:
    """Load jieba's dictionary and OpenCC's table now rather than on the first search (which then
    takes over 2 s). Called by ``egov.wsgi`` as each server worker starts, before it takes requests;
    a command that never searches does not pay for it. Idempotent and thread-safe."""
    _jieba()
    simplified("")


def dictionary_loaded() -> bool:
    """Whether this process has loaded jieba's dictionary (``dictionary_load`` or a first search)."""
    return _tokenizer is not None


def normalize(text: str) -> str:
    """``text`` as both documents and queries are segmented: Unicode NFKC (full-width Latin letters,
    digits and punctuation become the ordinary ones: ＰＤＦ → PDF), then traditional Chinese made
    simplified (OpenCC ``t2s``: 政務公開 → 政务公开). Simplified text is left as it is."""
    return simplified(unicodedata.normalize("NFKC", text or ""))


def query_clean(query: str) -> str:
    """A query as typed, without markup tags (``<b>政务</b>`` → ``政务``) and outer spaces; not cut,
    not normalized (it is shown to the reader as they typed it)."""
    return strip_tags(query or "").strip()


def _words(pieces) -> list[str]:
    words = []
    for piece in pieces:
        words.extend(word.lower() for word in _WORD.findall(piece))
    return words


def segment(text: str) -> str:
    """``text`` as stored for search: ``normalize``d, then jieba search-engine words, lowercase,
    space-separated, with a space at each end (`` 推进 电子 子政 政务 电子政务 建设 ``); "" for text
    without words."""
    words = _words(_jieba().cut_for_search(normalize(text), HMM=False))
    return f" {' '.join(words)} " if words else ""


def query_words(query: str) -> list[str]:
    """The words of a query (already cut to ``QUERY_MAX_CHARS``): ``normalize``d as documents are,
    then jieba precise mode, lowercase, without punctuation and ``STOP_WORDS``, each once, at most
    ``QUERY_MAX_WORDS``."""
    words = []
    for word in _words(_jieba().cut(normalize(query), HMM=False)):
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:QUERY_MAX_WORDS]


def body_text(body_html: str) -> str:
    """The text of a sanitized body, one paragraph (or table cell) a line, entities decoded."""
    return html.unescape(strip_tags(_BLOCK_END.sub("\n", body_html or ""))).strip()


def search_fields_fill(document: OfficialDocument) -> None:
    """Set ``search_title`` and ``search_body`` of ``document`` (unsaved) from its title and body."""
    document.search_title = segment(document.title)
    document.search_body = segment(body_text(document.body_html))


# --- Matching and ranking ------------------------------------------------------------------------

_VECTOR = '"documents_officialdocument"."search_vector"'  # PostgreSQL only: migration 0004_search_index
_TSQUERY = "plainto_tsquery('simple'::regconfig, %s)"


def matches_postgresql(queryset: QuerySet[OfficialDocument], words: list[str]) -> QuerySet[OfficialDocument]:
    """``queryset`` narrowed to documents holding every one of ``words``, best first (PostgreSQL).

    Matches the stored ``search_vector`` (GIN index). Annotates ``title_match`` (every word in the
    title) and ``rank`` (``ts_rank``, title words weighing 1.0 and
    body words 0.1). Order: title matches, rank, 成文日期 (newest), id.
    """
    terms = " ".join(words)
    # The title's own short text, rather than the large (TOASTed) vector a second time.
    in_title = f"to_tsvector('simple'::regconfig, \"documents_officialdocument\".\"search_title\") @@ {_TSQUERY}"
    return (queryset
            .alias(found=RawSQL(f"{_VECTOR} @@ {_TSQUERY}", [terms], output_field=BooleanField()))
            .filter(found=True)
            .defer("search_title", "search_body")
            .annotate(title_match=RawSQL(in_title, [terms], output_field=BooleanField()),
                      rank=RawSQL(f"ts_rank({_VECTOR}, {_TSQUERY})", [terms], output_field=FloatField()))
            .order_by("-title_match", "-rank", F("written_on").desc(nulls_last=True), "-id"))


_IN_TITLE = f'"documents_officialdocument"."search_title_vector" @@ {_TSQUERY}'  # migration 0010_search_bounded


def search_candidates_postgresql(
    queryset: QuerySet[OfficialDocument], words: list[str], *, facts: dict | None = None
) -> tuple[list[tuple[int, bool]], bool]:
    """The first ``RESULTS_MAX`` documents of ``queryset`` holding every one of ``words``, best first,
    as ``(id, title_match)``, and whether more documents hold them (PostgreSQL; issue 18, item 5).

    Bounded work whatever the query: (1) the newest ``RESULTS_MAX`` + 1 documents with every word
    in the title (the title's own stored vector ``search_title_vector`` and its GIN index
    ``documents_search_title``, migration ``0010_search_bounded``); (2) unless those fill the
    list, the newest ``RESULTS_MAX`` + 1 documents with every word anywhere (``search_vector``, or the 成文日期 index
    ``documents_written_on_id`` read from the newest when a word is in nearly every row), those
    with a title match left out (they are all in (1)); (3) ``ts_rank`` of only these at most
    ``RESULTS_MAX`` candidates. Order: title matches, rank, 成文日期 (newest), id: the order of
    ``matches_postgresql`` whenever at most ``RESULTS_MAX`` documents match. ``facts``: a dict to
    fill with ``{id: (issuer_id, written_on)}`` of the candidates, read by the ranking query itself
    (the facets of the portal's one search, without another query).
    """
    terms = " ".join(words)
    newest = (F("written_on").desc(nulls_last=True), "-id")
    base = queryset.order_by()
    in_title = list(
        base.alias(in_title=RawSQL(_IN_TITLE, [terms], output_field=BooleanField()))
        .filter(in_title=True)
        .order_by(*newest)
        .values_list("pk", flat=True)[: RESULTS_MAX + 1]
    )
    more = len(in_title) > RESULTS_MAX
    in_title = in_title[:RESULTS_MAX]
    candidates = [(pk, True) for pk in in_title]
    if not more:
        anywhere = list(
            base.alias(found=RawSQL(f"{_VECTOR} @@ {_TSQUERY}", [terms], output_field=BooleanField()))
            .filter(found=True)
            .order_by(*newest)
            .values_list("pk", flat=True)[: RESULTS_MAX + 1]
        )
        more = len(anywhere) > RESULTS_MAX
        titled = set(in_title)
        candidates += [(pk, False) for pk in anywhere if pk not in titled][: RESULTS_MAX - len(in_title)]
    if not candidates:
        return [], False
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "id", ts_rank({_VECTOR}, {_TSQUERY}), "issuer_id", "written_on" FROM "documents_officialdocument"'
            ' WHERE "id" = ANY(%s)',
            [terms, [pk for pk, _title in candidates]],
        )
        rows = cursor.fetchall()
    rank = {pk: value for pk, value, _issuer, _written in rows}
    if facts is not None:
        facts.update((pk, (issuer, written)) for pk, _value, issuer, written in rows)
    # Stable: candidates are newest first within each kind, so 成文日期 and id still break ties.
    return sorted(candidates, key=lambda candidate: (not candidate[1], -rank[candidate[0]])), more


def matches_fallback(queryset: QuerySet[OfficialDocument], words: list[str]) -> QuerySet[OfficialDocument]:
    """``queryset`` narrowed to documents holding every one of ``words``, best first (any database).

    Each word must be a whole stored word (``LIKE '% word %'``) of the title or the body. Annotates
    ``title_match`` (every word in the title). Order: title matches, 成文日期 (newest), id.
    """
    in_title = Q()
    for word in words:
        queryset = queryset.filter(Q(search_title__contains=f" {word} ") | Q(search_body__contains=f" {word} "))
        in_title &= Q(search_title__contains=f" {word} ")
    return (queryset
            .annotate(title_match=Case(When(in_title, then=Value(True)), default=Value(False),
                                       output_field=BooleanField()))
            .order_by("-title_match", F("written_on").desc(nulls_last=True), "-id"))


# --- Highlighting --------------------------------------------------------------------------------


def _pattern(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    alternatives = sorted(words, key=len, reverse=True)  # 电子政务 before 电子
    return re.compile("|".join(re.escape(word) for word in alternatives), re.IGNORECASE)


def _haystack(text: str) -> str:
    """Where query words are looked for in ``text``: its ``normalize``d form when that has the same
    length (each character mapped to one: ＰＤＦ, 政務), so that positions are the text's own; else the
    text itself."""
    folded = normalize(text)
    return folded if len(folded) == len(text) else text


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, each occurrence of one of ``words`` (any case, full-width or traditional
    forms included: ``_haystack``) wrapped in ``<mark>``."""
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(html.escape(text))
    parts, last = [], 0
    for match in pattern.finditer(_haystack(text)):
        parts.append(html.escape(text[last:match.start()]))
        parts.append(f"<mark>{html.escape(text[match.start():match.end()])}</mark>")
        last = match.end()
    parts.append(html.escape(text[last:]))
    return mark_safe("".join(parts))  # every piece is escaped above


def snippet(text: str, words: list[str], *, length: int = SNIPPET_CHARS) -> SafeString:
    """About ``length`` characters of ``text`` around the first query word, highlighted; "…" marks
    text left out. Without a word in ``text``: its beginning."""
    text = re.sub(r"\s+", " ", text).strip()
    pattern = _pattern(words)
    found = pattern.search(_haystack(text)) if pattern else None
    start = max(0, found.start() - _SNIPPET_LEAD) if found else 0
    end = min(len(text), start + length)
    excerpt = highlight(text[start:end], words)
    return mark_safe(("…" if start else "") + excerpt + ("…" if end < len(text) else ""))  # excerpt is escaped


# --- The search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One document found: ``title_html`` and ``snippet_html`` are escaped HTML with ``<mark>``ed
    words; ``title_match``: every word is in the title; ``public_url``: the portal's page of the
    document when a staff member found it only because it is published (not a document of their
    organizations, whose staff page they cannot open), else ""."""

    document: OfficialDocument
    title_html: SafeString
    snippet_html: SafeString
    title_match: bool
    public_url: str = ""


@dataclass(frozen=True)
class SearchResults:
    """The answer to one query.

    ``query``: what was searched (without markup tags, cut to ``QUERY_MAX_CHARS``); ``truncated``:
    it was cut; ``words``: its words (empty: nothing to search, no hits, unless ``number`` is set);
    ``total``: documents found, at most ``RESULTS_MAX``; ``total_capped``: more were found than
    ``total`` (shown as "1,000+"; only the first ``RESULTS_MAX`` can be paged through); ``hits``:
    the page asked for; ``number``: the query named a 发文字号 or a 机关代字, searched in this form
    (``numbers.number_key``: 锡政发〔2026〕1号), "" otherwise; ``by_issuer`` and ``by_year``: when
    asked for (``facets``), how many of the (at most ``RESULTS_MAX``) documents found each issuing
    organization (by id) and each year of 成文日期 has (documents without one are not counted), else None.
    """

    query: str
    truncated: bool
    words: list[str]
    total: int
    hits: list[SearchHit]
    number: str = ""
    total_capped: bool = False
    by_issuer: dict[int, int] | None = None
    by_year: dict[int, int] | None = None


def _capped_count(queryset: QuerySet[OfficialDocument]) -> tuple[int, bool]:
    """How many rows ``queryset`` has, counting no further than ``RESULTS_MAX`` + 1, and whether
    there are more than ``RESULTS_MAX`` (the count is then ``RESULTS_MAX``)."""
    found = queryset.order_by().values("pk")[: RESULTS_MAX + 1].count()
    return min(found, RESULTS_MAX), found > RESULTS_MAX


def _page(offset: int, limit: int) -> slice:
    """The rows ``offset`` … ``offset + limit`` of a list of hits, never past ``RESULTS_MAX``."""
    return slice(min(offset, RESULTS_MAX), min(offset + limit, RESULTS_MAX))


_NUMBER_LIKE = re.compile(r"[\w〔〕\[\]【】()（）\s\u200b\u200c\u200d\u2060\ufeff]{1,40}")  # a 发文字号's characters
_BLANKS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def _by_number(queryset: QuerySet[OfficialDocument], query: str) -> tuple[QuerySet[OfficialDocument], str] | None:
    """The documents a query names by their 发文字号, in any of its written forms (``numbers.number_key``:
    锡政发〔2026〕1号, 錫政發〔2026〕1號, [2026] or (2026), full-width digits, spaces; the closing 号
    may be left off: 锡政发〔2026〕1 is 锡政发〔2026〕1号, never 11号 or 10号), or by a 机关代字
    alone (锡政发 or 錫政發: newest first), with the key searched (锡政发〔2026〕1号, 锡政发); None when
    the query is neither. Matches the stored ``number_key`` (an index), on every database."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not _NUMBER_LIKE.fullmatch(text):
        return None
    try:  # every 发文字号 ends in 号 (numbers._PATTERN …): one typed without it is read with it
        key = number_key(text if text.endswith(("号", "號")) else f"{text}号")
    except ValidationFailed:
        key = None
    if key is not None:
        return queryset.filter(number_key=key).select_related("issuer"), key
    code = simplified(_BLANKS.sub("", text))
    if code and len(code) <= 20 and "〔" not in code:
        by_code = queryset.filter(number_key__startswith=f"{code}〔")
        if by_code.exists():
            return by_code.select_related("issuer").order_by("-number_year", "-number_seq"), code
    return None


def _facets(ids, facts: dict | None = None) -> tuple[dict[int, int], dict[int, int]]:
    """Documents ``ids`` (at most ``RESULTS_MAX``) counted by issuing organization and by year written;
    ``facts`` (``{id: (issuer_id, written_on)}``) when already read, else read here."""
    by_issuer: dict[int, int] = {}
    by_year: dict[int, int] = {}
    pairs = facts.values() if facts is not None else (
        OfficialDocument.objects.filter(pk__in=ids).values_list("issuer_id", "written_on"))
    for issuer_id, written_on in pairs:
        by_issuer[issuer_id] = by_issuer.get(issuer_id, 0) + 1
        if written_on is not None:
            by_year[written_on.year] = by_year.get(written_on.year, 0) + 1
    return by_issuer, by_year


def search(queryset: QuerySet[OfficialDocument], query: str, *, limit: int, offset: int,
           facets: bool = False) -> SearchResults:
    """Search ``queryset`` (already narrowed to what the reader may see); see ``selectors.document_search``.
    ``facets``: also count the documents found by issuer and year (``SearchResults.by_issuer``, ``by_year``)."""
    query = query_clean(query)
    truncated = len(query) > QUERY_MAX_CHARS
    query = query[:QUERY_MAX_CHARS]
    by_number = _by_number(queryset, query)
    if by_number is not None:
        found, key = by_number
        total, capped = _capped_count(found)
        hits = [
            SearchHit(
                document=document,
                title_html=highlight(document.title, []),
                snippet_html=snippet(body_text(document.body_html), []),
                title_match=False,
            )
            for document in found[_page(offset, limit)]
        ]
        by_issuer, by_year = _facets(list(found.order_by().values_list("pk", flat=True)[:RESULTS_MAX])) if facets \
            else (None, None)
        return SearchResults(
            query=query, truncated=truncated, words=[], total=total, hits=hits, number=key, total_capped=capped,
            by_issuer=by_issuer, by_year=by_year,
        )
    words = query_words(query)
    if not words:
        return SearchResults(query=query, truncated=truncated, words=[], total=0, hits=[],
                             by_issuer={} if facets else None, by_year={} if facets else None)
    if connection.vendor == "postgresql":
        facts: dict | None = {} if facets else None
        candidates, capped = search_candidates_postgresql(queryset, words, facts=facts)
        total = len(candidates)
        page = candidates[_page(offset, limit)]
        documents = (
            OfficialDocument.objects.select_related("issuer")
            .defer("search_title", "search_body")
            .in_bulk([pk for pk, _title in page])
        )
        found = [(documents[pk], title_match) for pk, title_match in page]
        found_ids = [pk for pk, _title in candidates]
    else:
        facts = None
        matches = matches_fallback(queryset.select_related("issuer"), words)
        total, capped = _capped_count(matches)
        found = [(document, document.title_match) for document in matches[_page(offset, limit)]]
        found_ids = list(matches.order_by().values_list("pk", flat=True)[:RESULTS_MAX]) if facets else []
    hits = [
        SearchHit(
            document=document,
            title_html=highlight(document.title, words),
            snippet_html=snippet(body_text(document.body_html), words),
            title_match=title_match,
        )
        for document, title_match in found
    ]
    by_issuer, by_year = _facets(found_ids, facts) if facets else (None, None)
    return SearchResults(query=query, truncated=truncated, words=words, total=total, hits=hits, total_capped=capped,
                         by_issuer=by_issuer, by_year=by_year)
