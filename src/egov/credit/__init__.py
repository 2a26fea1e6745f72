"""Joint credit (社会信用, issue 16): credit records from the agencies and from the platform's own
decisions (双公示), list memberships with their legal lifecycle, the sanction check and the public
信用公示 (``docs/credit.md``)."""
