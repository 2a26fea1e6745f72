from egov.services.notifying import notifications_of


def notifications(request):
    """``unread_notifications``: how many notifications the signed-in applicant has not read (0 for
    anyone else), for the public header. Counted only when a template shows it."""

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.kind == "staff":
            return 0
        return notifications_of(user=user, unread_only=True).count()

    return {"unread_notifications": count}
