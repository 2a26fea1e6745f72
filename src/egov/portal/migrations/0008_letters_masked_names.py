"""Published letters masked again with the names rule of fix9: the old rule took any two or three
characters after a surname-like character for a name, so place names were published masked
(梁溪区 → 梁**). Only the masked copies change; what the writer wrote is untouched."""

from django.db import migrations


def letters_mask_again(apps, schema_editor):
    """Recompute ``public_subject``, ``public_body`` and ``public_answer`` of every approved letter
    from its text as written, as ``actions_letters.letter_masked_copy`` does: the writer's data and
    the names any of the three texts says it contains known."""
    from egov.core.masking import mask_personal_data, person_names  # noqa: PLC0415 - the current rules, on purpose

    Letter = apps.get_model("portal", "Letter")
    for letter in Letter.objects.filter(publication="approved").iterator():
        names = person_names("\n".join((letter.subject, letter.body, letter.answer_text)))
        known = [letter.writer_name, letter.writer_id_number, letter.writer_phone,
                 *sorted(names, key=len, reverse=True)]
        letter.public_subject = mask_personal_data(letter.subject, known=known)[:100]
        letter.public_body = mask_personal_data(letter.body, known=known)
        letter.public_answer = mask_personal_data(letter.answer_text, known=known)
        letter.save(update_fields=["public_subject", "public_body", "public_answer"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_letter_withdrawn")]
    operations = [migrations.RunPython(letters_mask_again, migrations.RunPython.noop)]
