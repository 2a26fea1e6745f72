"""Published letters masked again with the masking of session 8's fixes (identity numbers in
groups, full-width digits, fixed lines in brackets, hyphenated house numbers, buildings and rooms
without a road word, bank cards, car plates): copies published before kept what it now hides."""

from django.db import migrations


def letters_mask_again(apps, schema_editor):
    """Recompute ``public_subject``, ``public_body`` and ``public_answer`` of every approved letter
    from its text as written (``core.masking.mask_personal_data``, the writer's data known)."""
    from egov.core.masking import mask_personal_data  # noqa: PLC0415 - the current rules, on purpose

    Letter = apps.get_model("portal", "Letter")
    for letter in Letter.objects.filter(publication="approved").iterator():
        known = [letter.writer_name, letter.writer_id_number, letter.writer_phone]
        letter.public_subject = mask_personal_data(letter.subject, known=known)[:100]
        letter.public_body = mask_personal_data(letter.body, known=known)
        letter.public_answer = mask_personal_data(letter.answer_text, known=known)
        letter.save(update_fields=["public_subject", "public_body", "public_answer"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_pages")]
    operations = [migrations.RunPython(letters_mask_again, migrations.RunPython.noop)]
