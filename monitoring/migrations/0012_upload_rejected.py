"""CSV uploads with bad lines are "rejected" (they were left "waiting for confirmation"), and keep their problems but
not the file's content."""

from django.db import migrations, models


def reject_uploads_with_problems(apps, schema_editor):
    CsvUpload = apps.get_model("monitoring", "CsvUpload")
    CsvUpload.objects.filter(status="preview").exclude(errors=[]).update(status="rejected", content="", sample_count=0)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0011_alert_acknowledge_and_silence"),
    ]

    operations = [
        migrations.AlterField(
            model_name="csvupload",
            name="status",
            field=models.CharField(
                choices=[
                    ("preview", "Waiting for confirmation"),
                    ("rejected", "Rejected"),
                    ("stored", "Stored"),
                    ("discarded", "Discarded"),
                ],
                default="preview",
                max_length=10,
            ),
        ),
        migrations.RunPython(reject_uploads_with_problems, migrations.RunPython.noop),
    ]
