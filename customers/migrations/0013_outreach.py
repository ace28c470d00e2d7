"""Consent, contact holds, caps and the contact log; each customer's time zone (the bank's
until told otherwise); the default caps: at most 2 marketing contacts in 30 days and 1 in 7,
1 survey in 30 days, 2 event invitations in 30 days."""

import compliance.fields
import customers.models.party
import django.contrib.postgres.functions
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DEFAULT_CAPS = [("marketing", 30, 2), ("marketing", 7, 1), ("surveys", 30, 1), ("events", 30, 2)]


def add_default_caps(apps, schema_editor):
    ContactCap = apps.get_model("customers", "ContactCap")
    for purpose, window_days, maximum in DEFAULT_CAPS:
        ContactCap.objects.get_or_create(purpose=purpose, window_days=window_days,
                                         defaults={"maximum": maximum})


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0012_care'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='time_zone',
            field=models.CharField(default=customers.models.party.default_time_zone, help_text='Where the customer lives; quiet hours for contacts are kept in this zone.', max_length=64, validators=[customers.models.party.validate_time_zone], verbose_name='time zone'),
        ),
        migrations.CreateModel(
            name='ConsentEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'E-mail'), ('app_push', 'App push'), ('messaging', 'Messaging'), ('post', 'Post')], max_length=12, verbose_name='channel')),
                ('purpose', models.CharField(choices=[('service', 'Service'), ('marketing', 'Marketing'), ('surveys', 'Surveys'), ('events', 'Events')], max_length=12, verbose_name='purpose')),
                ('status', models.CharField(choices=[('granted', 'Granted'), ('withdrawn', 'Withdrawn')], max_length=10, verbose_name='status')),
                ('source', models.CharField(choices=[('branch_form', 'Branch form'), ('app', 'Mobile app'), ('call_centre', 'Call centre'), ('import', 'Import'), ('api', 'API')], max_length=12, verbose_name='source')),
                ('record_key', compliance.fields.RecordKeyField(db_default=django.contrib.postgres.functions.RandomUUID())),
                ('evidence_reference', compliance.fields.EncryptedTextField(blank=True, max_length=200, null=True, verbose_name='evidence reference')),
                ('recorded_at', models.DateTimeField(verbose_name='recorded')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consent_events', to='customers.customer', verbose_name='customer')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
            ],
            options={
                'verbose_name': 'consent event',
                'verbose_name_plural': 'consent events',
            },
        ),
        migrations.CreateModel(
            name='Consent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'E-mail'), ('app_push', 'App push'), ('messaging', 'Messaging'), ('post', 'Post')], max_length=12, verbose_name='channel')),
                ('purpose', models.CharField(choices=[('service', 'Service'), ('marketing', 'Marketing'), ('surveys', 'Surveys'), ('events', 'Events')], max_length=12, verbose_name='purpose')),
                ('status', models.CharField(choices=[('granted', 'Granted'), ('withdrawn', 'Withdrawn')], max_length=10, verbose_name='status')),
                ('source', models.CharField(choices=[('branch_form', 'Branch form'), ('app', 'Mobile app'), ('call_centre', 'Call centre'), ('import', 'Import'), ('api', 'API')], max_length=12, verbose_name='source')),
                ('changed_at', models.DateTimeField(verbose_name='since')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='customers.customer', verbose_name='customer')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.consentevent', verbose_name='latest event')),
            ],
            options={
                'verbose_name': 'consent',
                'verbose_name_plural': 'consents',
            },
        ),
        migrations.CreateModel(
            name='ContactCap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('service', 'Service'), ('marketing', 'Marketing'), ('surveys', 'Surveys'), ('events', 'Events')], max_length=12, verbose_name='purpose')),
                ('window_days', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)], verbose_name='window in days')),
                ('maximum', models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='maximum contacts')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'contact cap',
                'verbose_name_plural': 'contact caps',
                'ordering': ['purpose', 'window_days'],
                'constraints': [models.UniqueConstraint(fields=('purpose', 'window_days'), name='contact_cap_one_per_window')],
            },
        ),
        migrations.CreateModel(
            name='ContactHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('open_complaint', 'Open complaint'), ('bereavement', 'Bereavement'), ('vulnerable', 'Vulnerable customer'), ('other', 'Other')], max_length=16, verbose_name='kind')),
                ('record_key', compliance.fields.RecordKeyField(db_default=django.contrib.postgres.functions.RandomUUID())),
                ('reason', compliance.fields.EncryptedTextField(max_length=500, verbose_name='reason')),
                ('reference', models.CharField(blank=True, help_text='What placed the hold, e.g. a complaint number.', max_length=64, verbose_name='reference')),
                ('placed_at', models.DateTimeField(verbose_name='placed')),
                ('lifted_at', models.DateTimeField(blank=True, null=True, verbose_name='lifted')),
                ('lift_reason', compliance.fields.EncryptedTextField(blank=True, max_length=500, null=True, verbose_name='reason for lifting')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_holds', to='customers.customer', verbose_name='customer')),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='lifted by')),
                ('placed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='placed by')),
            ],
            options={
                'verbose_name': 'contact hold',
                'verbose_name_plural': 'contact holds',
            },
        ),
        migrations.CreateModel(
            name='ContactLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'E-mail'), ('app_push', 'App push'), ('messaging', 'Messaging'), ('post', 'Post')], max_length=12, verbose_name='channel')),
                ('purpose', models.CharField(choices=[('service', 'Service'), ('marketing', 'Marketing'), ('surveys', 'Surveys'), ('events', 'Events')], max_length=12, verbose_name='purpose')),
                ('legally_required', models.BooleanField(default=False, verbose_name='legally required')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('sender_kind', models.CharField(choices=[('campaign', 'Campaign'), ('survey', 'Survey'), ('follow_up', 'Follow-up'), ('event_invitation', 'Event invitation'), ('points_reminder', 'Points reminder'), ('notice', 'Notice'), ('staff', 'Member of staff')], max_length=16, verbose_name='sender')),
                ('sender_id', models.CharField(blank=True, max_length=64, verbose_name='sender id')),
                ('at', models.DateTimeField(verbose_name='time')),
                ('outcome', models.CharField(choices=[('sent', 'Contacted'), ('refused', 'Not contacted')], max_length=8, verbose_name='outcome')),
                ('refusal_code', models.CharField(blank=True, choices=[('merged', 'Merged record'), ('do_not_contact', 'Do not contact'), ('hold', 'Contact hold'), ('vulnerable', 'Vulnerable customer'), ('no_consent', 'No consent'), ('consent_withdrawn', 'Consent withdrawn'), ('quiet_hours', 'Quiet hours'), ('cap', 'Contact cap')], max_length=20, verbose_name='refused because')),
                ('detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='on behalf of')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_log', to='customers.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'contact log entry',
                'verbose_name_plural': 'contact log',
            },
        ),
        migrations.AddIndex(
            model_name='consentevent',
            index=models.Index(fields=['customer', '-recorded_at'], name='consent_event_history'),
        ),
        migrations.AddIndex(
            model_name='consent',
            index=models.Index(fields=['channel', 'purpose', 'status'], name='consent_audience'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.UniqueConstraint(fields=('customer', 'channel', 'purpose'), name='consent_one_per_purpose'),
        ),
        migrations.AddIndex(
            model_name='contacthold',
            index=models.Index(condition=models.Q(('lifted_at__isnull', True)), fields=['customer'], name='contact_hold_open'),
        ),
        migrations.AddConstraint(
            model_name='contacthold',
            constraint=models.UniqueConstraint(condition=models.Q(('lifted_at__isnull', True), models.Q(('reference', ''), _negated=True)), fields=('customer', 'kind', 'reference'), name='contact_hold_open_reference'),
        ),
        migrations.AddIndex(
            model_name='contactlog',
            index=models.Index(fields=['customer', 'purpose', 'outcome', 'at'], name='contact_log_caps'),
        ),
        migrations.AddIndex(
            model_name='contactlog',
            index=models.Index(fields=['customer', '-at'], name='contact_log_recent'),
        ),
        migrations.AddConstraint(
            model_name='contactlog',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'sent'), ('refusal_code', '')), models.Q(('outcome', 'refused'), models.Q(('refusal_code', ''), _negated=True)), _connector='OR'), name='contact_log_refusal_has_code'),
        ),
        migrations.AddConstraint(
            model_name='contactlog',
            constraint=models.CheckConstraint(condition=models.Q(('legally_required', False), ('purpose', 'service'), _connector='OR'), name='contact_log_legal_is_service'),
        ),
        migrations.RunPython(add_default_caps, migrations.RunPython.noop),
    ]
