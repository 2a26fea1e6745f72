"""The public page "Who read my data" (数据使用记录), at /accounts/me/data-use/: a signed-in citizen
or enterprise sees who read their register records (``registries.data_use``)."""

from django.shortcuts import render

from egov.accounts.permissions import public_user_required
from egov.registries.data_use import data_uses_of


@public_user_required
def data_use(request):
    """The reads of the signed-in person's or enterprise's register records, newest first; an unverified
    account sees how to get verified instead (it may hold someone else's code, issue 17)."""
    if not request.user.is_real_name_verified:
        return render(request, "accounts/verification_required.html", {"account": request.user}, status=403)
    return render(request, "registries/data_use.html", {"uses": data_uses_of(user=request.user)})
