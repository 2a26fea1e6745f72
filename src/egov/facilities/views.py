"""The staff inbox of notifications (站内消息): reminders of 督查, meetings and 依申请公开 and every
other message sent to a staff member. Thin: the facilities' notification functions do the work."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.facilities.notifications import notifications_mark_read, notifications_of, notifications_unread_count

PER_PAGE = 20


@staff_required
def inbox(request):
    """My notifications, newest first, with the number unread; ``?unread=1`` lists only the unread
    ones. Opening the page marks the ones shown read (they are marked new this once)."""
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notifications_of(user=request.user, unread_only=unread_only),
                     PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    unread = {n.pk for n in rows if n.read_at is None}
    response = render(request, "facilities/inbox.html", {
        "page": page, "rows": rows, "unread": unread, "unread_only": unread_only,
        "unread_count": notifications_unread_count(user=request.user)})
    for pk in unread:
        notifications_mark_read(user=request.user, notification_id=pk)
    return response


@staff_required
@require_POST
def mark_all_read(request):
    """Mark every notification of mine read."""
    marked = notifications_mark_read(user=request.user)
    messages.success(request, ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.",
                                       marked) % {"n": marked})
    return redirect("facilities_staff:inbox")
