from functools import cache

from egov.facilities.notifications import notifications_unread_count


def notifications(request):
    """``unread_notifications``: how many notifications the signed-in user (applicant or staff) has
    not read, 0 for a visitor, for the headers and the staff home page. Counted once per page, and
    only when a template shows it."""

    @cache
    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return notifications_unread_count(user=user)

    return {"unread_notifications": count}
