"""Campaigns, their recipients and the development channel backend's recorded messages;
branch managers prepare and approve campaigns for their branch."""

import compliance.fields
import django.contrib.postgres.fields
import django.contrib.postgres.functions
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



ROLE = "branch_manager"
PERMISSIONS = [("manage_campaign", "Can prepare, schedule and cancel campaigns"),
               ("approve_campaign", "Can approve another person's large campaign")]


def grant(apps, schema_editor):
    # Permissions are created after migrations run; these two are needed now, for the grant.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="customers", model="campaign")
    group, _ = Group.objects.get_or_create(name=ROLE)
    for codename, name in PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": name})
        group.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_outbox'),
        ('customers', '0015_consent_source_privacy_request'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS'), ('app_push', 'App push')], max_length=12, verbose_name='channel')),
                ('purpose', models.CharField(choices=[('marketing', 'Marketing'), ('events', 'Events'), ('surveys', 'Surveys')], default='marketing', max_length=12, verbose_name='purpose')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('pending_approval', 'Awaiting approval'), ('approved', 'Approved'), ('scheduled', 'Scheduled'), ('sending', 'Sending'), ('completed', 'Completed'), ('cancelled', 'Cancelled')], default='draft', max_length=16, verbose_name='status')),
                ('segments', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('mass', 'Mass retail'), ('vip', 'VIP'), ('private', 'Private banking'), ('sme', 'SME'), ('large', 'Large enterprise'), ('multinational', 'Multinational')], max_length=16), blank=True, default=list, size=None, verbose_name='segments')),
                ('branches', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None, verbose_name='branches')),
                ('kinds', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('individual', 'Individual'), ('corporate', 'Corporate')], max_length=12), blank=True, default=list, size=None, verbose_name='customer kinds')),
                ('needs', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('wealth_growth', 'Wealth growth'), ('asset_preservation', 'Asset preservation'), ('consumer_credit', 'Consumer credit'), ('investment', 'Investment'), ('financing', 'Financing'), ('settlement', 'Settlement'), ('cash_management', 'Cash management'), ('international_business', 'International business')], max_length=24), blank=True, default=list, size=None, verbose_name='open needs')),
                ('holds_products', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('current_account', 'Current account'), ('savings_account', 'Savings account'), ('term_deposit', 'Term deposit'), ('wealth_product', 'Wealth management product'), ('fund', 'Fund'), ('insurance', 'Insurance'), ('mortgage', 'Mortgage'), ('consumer_loan', 'Consumer loan'), ('credit_card', 'Credit card'), ('corporate_loan', 'Corporate loan'), ('trade_finance', 'Trade finance'), ('cash_management', 'Cash management'), ('fx', 'Foreign exchange')], max_length=20), blank=True, default=list, size=None, verbose_name='holds products')),
                ('lacks_products', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('current_account', 'Current account'), ('savings_account', 'Savings account'), ('term_deposit', 'Term deposit'), ('wealth_product', 'Wealth management product'), ('fund', 'Fund'), ('insurance', 'Insurance'), ('mortgage', 'Mortgage'), ('consumer_loan', 'Consumer loan'), ('credit_card', 'Credit card'), ('corporate_loan', 'Corporate loan'), ('trade_finance', 'Trade finance'), ('cash_management', 'Cash management'), ('fx', 'Foreign exchange')], max_length=20), blank=True, default=list, size=None, verbose_name='does not hold products')),
                ('min_aum', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='minimum AUM')),
                ('subject', models.CharField(blank=True, max_length=200, verbose_name='subject')),
                ('body', models.TextField(max_length=2000, verbose_name='message')),
                ('send_at', models.DateTimeField(blank=True, null=True, verbose_name='send at')),
                ('audience_estimate', models.PositiveIntegerField(blank=True, null=True, verbose_name='eligible when submitted')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed')),
                ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('branch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='crm.branch', verbose_name='branch')),
                ('cancelled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'campaign',
                'verbose_name_plural': 'campaigns',
                'ordering': ['-created_at', '-pk'],
                'permissions': [('manage_campaign', 'Can prepare, schedule and cancel campaigns'), ('approve_campaign', "Can approve another person's large campaign")],
            },
        ),
        migrations.CreateModel(
            name='CampaignRecipient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting'), ('deferred', 'Deferred (quiet hours)'), ('sent', 'Sent'), ('blocked', 'Blocked'), ('cancelled', 'Not sent (campaign cancelled)')], default='pending', max_length=10, verbose_name='status')),
                ('refusal_code', models.CharField(blank=True, choices=[('merged', 'Merged record'), ('do_not_contact', 'Do not contact'), ('hold', 'Contact hold'), ('vulnerable', 'Vulnerable customer'), ('no_consent', 'No consent'), ('consent_withdrawn', 'Consent withdrawn'), ('quiet_hours', 'Quiet hours'), ('cap', 'Contact cap')], max_length=20, verbose_name='refused because')),
                ('retry_at', models.DateTimeField(blank=True, null=True, verbose_name='retry at')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered')),
                ('delivery', models.CharField(blank=True, choices=[('delivered', 'Delivered'), ('failed', 'Delivery failed'), ('no_address', 'No address for the channel')], max_length=12, verbose_name='delivery')),
                ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded')),
                ('converted_at', models.DateTimeField(blank=True, null=True, verbose_name='converted')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recipients', to='customers.campaign', verbose_name='campaign')),
                ('contact_log', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.contactlog', verbose_name='contact log entry')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'campaign recipient',
                'verbose_name_plural': 'campaign recipients',
            },
        ),
        migrations.CreateModel(
            name='OutboundMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('sms', 'SMS'), ('email', 'E-mail'), ('app_push', 'App push'), ('messaging', 'Messaging'), ('post', 'Post')], max_length=12, verbose_name='channel')),
                ('address_mask', models.CharField(blank=True, max_length=64, verbose_name='to (masked)')),
                ('record_key', compliance.fields.RecordKeyField(db_default=django.contrib.postgres.functions.RandomUUID())),
                ('subject', compliance.fields.EncryptedTextField(blank=True, max_length=260, null=True, verbose_name='subject')),
                ('body', compliance.fields.EncryptedTextField(blank=True, max_length=2200, null=True, verbose_name='message')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.campaign', verbose_name='campaign')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'recorded message',
                'verbose_name_plural': 'recorded messages',
                'ordering': ['-recorded_at', '-pk'],
            },
        ),
        migrations.AddIndex(
            model_name='campaign',
            index=models.Index(fields=['status', 'send_at'], name='campaign_due'),
        ),
        migrations.AddIndex(
            model_name='campaign',
            index=models.Index(fields=['branch', '-created_at'], name='campaign_branch_recent'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('approved_by', models.F('created_by')), _negated=True), name='campaign_approver_is_not_creator'),
        ),
        migrations.AddIndex(
            model_name='campaignrecipient',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'deferred'])), fields=['campaign', 'status', 'customer'], name='campaign_recipient_work'),
        ),
        migrations.AddIndex(
            model_name='campaignrecipient',
            index=models.Index(fields=['campaign', 'status', 'refusal_code'], name='campaign_recipient_report'),
        ),
        migrations.AddConstraint(
            model_name='campaignrecipient',
            constraint=models.UniqueConstraint(fields=('campaign', 'customer'), name='campaign_recipient_once'),
        ),
        migrations.AddConstraint(
            model_name='campaignrecipient',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['blocked', 'deferred']), ('refusal_code', ''), _connector='OR'), name='campaign_recipient_code_if_refused'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
