import django.db.models.deletion
from django.db import migrations, models


def _keep_stored_copies(apps, schema_editor):
    """Each document kept only its latest signed copy: that copy becomes its revision 1 (the
    earlier outputs were overwritten before revisions existed and cannot be recovered)."""
    SignedDocument = apps.get_model("trust", "SignedDocument")
    SignedRevision = apps.get_model("trust", "SignedRevision")
    for document in SignedDocument.objects.order_by("pk").iterator():
        SignedRevision.objects.create(document=document, number=1, sha256=document.sha256, pdf=document.pdf,
                                      signatures=document.signatures)


class Migration(migrations.Migration):

    dependencies = [
        ('trust', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='SignedRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='revision')),
                ('sha256', models.CharField(max_length=64, unique=True)),
                ('pdf', models.BinaryField(verbose_name='signed PDF')),
                ('signatures', models.PositiveIntegerField(verbose_name='signatures')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('based_on', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='successors', to='trust.signedrevision')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='trust.signeddocument')),
            ],
            options={
                'verbose_name': 'signed revision',
                'verbose_name_plural': 'signed revisions',
                'ordering': ['document', 'number'],
                'constraints': [models.UniqueConstraint(fields=('document', 'number'), name='one_revision_number_per_document')],
            },
        ),
        migrations.RunPython(_keep_stored_copies, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='signeddocument',
            name='pdf',
        ),
        migrations.RemoveField(
            model_name='signeddocument',
            name='sha256',
        ),
        migrations.RemoveField(
            model_name='signeddocument',
            name='signatures',
        ),
    ]
