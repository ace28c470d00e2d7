import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=255, verbose_name="idempotency key")),
                ("method", models.CharField(max_length=8, verbose_name="method")),
                ("path", models.CharField(max_length=500, verbose_name="path")),
                ("request_hash", models.CharField(max_length=64, verbose_name="request hash")),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="status code")),
                ("response", models.TextField(blank=True, verbose_name="response (encrypted)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="expires")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "idempotency record",
                "verbose_name_plural": "idempotency records",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "key"), name="idempotency_user_key"),
                ],
            },
        ),
    ]
