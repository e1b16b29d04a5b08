"""Studio Tracker settings: one module, read from the environment.

A laptop needs nothing set: SQLite and a file-system Celery broker under ``var/``. Production sets
``DEBUG=false``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``. The README
lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from studio_tracker.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "studio_tracker.accounts",
    "studio_tracker.audit",
    "studio_tracker.productions",
    "studio_tracker.usage",
    "studio_tracker.imports",
    "studio_tracker.reports",
    "studio_tracker.dashboards",
    "studio_tracker.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the session as verified with a second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A user who must use two factors and has no device may only enrol one.
    "studio_tracker.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio_tracker.urls"
WSGI_APPLICATION = "studio_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio_tracker.productions.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default. IMMEDIATE transactions and a busy timeout let the web process and the
# worker share one file without "database is locked" on the first write.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'studio_tracker.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitation links use the same token: three days

# Sign-in throttling (django-axes). Failures are counted per username (from any address) and per
# IP address (for any username); either reaching LOGIN_FAILURE_LIMIT within the cool-off locks that
# username or address out until LOGIN_COOLOFF_MINUTES pass after the last failure, or until staff
# unlock it (Django admin → Axes → Access attempts, or `manage.py axes_reset_username NAME`).
# Wrong two-factor codes count as failures too. AXES_ENABLED=false turns it all off (tests of
# other things, fuzzing); see studio_tracker/accounts/lockout.py for the answer a locked-out
# client gets.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins before checking
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner; failures are still logged (WARNING, names masked)
AXES_LOCKOUT_CALLABLE = "studio_tracker.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The address failures are counted against: REMOTE_ADDR, or behind a TLS proxy
# (BEHIND_TLS_PROXY=true) the address that proxy appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "studio_tracker.accounts.lockout.client_ip"
# Two-factor codes (django-otp, TOTP): the issuer is the name authenticator apps show.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Studio Tracker")

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Studio Tracker <noreply@localhost>")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded evidence never sits under a public URL; it is served through views that check access.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security headers and cookies -----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Secure cookies, HSTS and the HTTPS redirect are on whenever DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style anywhere: every page's code and styles come from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Celery ---------------------------------------------------------------------------------
# With REDIS_URL, Redis is the broker and the result backend. Without it, a real worker runs on
# Kombu's file-system transport under var/, so a laptop needs no server (eager mode is never the
# default: it would hide the very bugs a queue brings).
REDIS_URL = env_str("REDIS_URL")
CELERY_QUEUE = env_str("CELERY_QUEUE", "studio_tracker")
CELERY_KEY_PREFIX = env_str("CELERY_KEY_PREFIX", "studio_tracker:")
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE
# The sweeper has a queue of its own, which every worker also takes from (a worker started
# without -Q consumes each queue listed here, in turn): behind a backlog of PDF renderings on
# the main queue, its runs expired unrun, so a lost message waited for the whole backlog.
# (Renderings stay on the main queue: on a third queue, taken in turn, they held new compiles
# to one per rendering, and the chaos run drained slower.)
CELERY_SWEEP_QUEUE = f"{CELERY_QUEUE}.sweep"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in (CELERY_QUEUE, CELERY_SWEEP_QUEUE)
]
CELERY_TASK_ROUTES = {
    "studio_tracker.reports.tasks.sweep_reports": {"queue": CELERY_SWEEP_QUEUE},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# Late acks: a message is removed only once its task finished, so a worker that dies mid-task
# does not lose it. Redis hands an unacked message out again after the visibility timeout,
# which therefore sits above the hard time limit, and not far above it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT + 5 * 60
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "consent-reminders": {
        "task": "studio_tracker.usage.tasks.send_consent_reminders",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 12},
    },
    "clear-expired-sessions": {
        "task": "studio_tracker.accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
        "options": {"expires": 60 * 60},
    },
}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "global_keyprefix": CELERY_KEY_PREFIX,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": CELERY_KEY_PREFIX}
else:
    BROKER_DIR = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker"))).resolve()
    for folder in ("queue", "processed", "control", "results"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # Every folder must be absolute and exist, control_folder included (its default is relative).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = f"file://{BROKER_DIR / 'results'}"

# A compile's claim on its report: renewed with every progress write, so it only runs out when
# the worker died. It outlasts the slowest compile step and stays below the visibility timeout.
REPORT_COMPILE_LEASE_SECONDS = env_int("REPORT_COMPILE_LEASE_SECONDS", 10 * 60)
REPORT_REDISPATCH_AFTER_SECONDS = env_int("REPORT_REDISPATCH_AFTER_SECONDS", 5 * 60)
# How often beat runs the sweeper; bench/chaos.py shortens it (and the two above) for its run.
REPORT_SWEEP_SECONDS = env_int("REPORT_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE["sweep-reports"] = {
    "task": "studio_tracker.reports.tasks.sweep_reports",
    "schedule": REPORT_SWEEP_SECONDS,
    # A sweep not run before the next one is due is dropped: the next one does its work.
    "options": {"expires": max(1, REPORT_SWEEP_SECONDS * 5 // 6)},
}

HEALTH_CHECK_TIMEOUT = 2.0  # seconds: /healthz answers quickly even when a service hangs

# --- REST framework -------------------------------------------------------------------------
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24 * 30)
# Benchmarks and load tests turn throttling off with API_THROTTLE=false.
API_THROTTLE = env_bool("API_THROTTLE", True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "studio_tracker.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "studio_tracker.lib.pagination.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "studio_tracker.lib.schema.ErrorAwareAutoSchema",
    "EXCEPTION_HANDLER": "studio_tracker.lib.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_CLASSES": (
        [
            "rest_framework.throttling.AnonRateThrottle",
            "rest_framework.throttling.UserRateThrottle",
        ]
        if API_THROTTLE
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "login": env_str("API_THROTTLE_LOGIN", "10/minute") if API_THROTTLE else None,
    },
    # `format` is a query parameter of our download endpoints, not DRF's renderer switch.
    "URL_FORMAT_OVERRIDE": None,
}

# Throttle counters and other short-lived values. CACHE_URL=redis://… shares them between
# processes; without it each process keeps its own.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "studio_tracker",
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Studio Tracker API",
    "DESCRIPTION": "The record of where generative AI was used on screen.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ModalityEnum": "studio_tracker.usage.choices.Modality",
        "GenerationKindEnum": "studio_tracker.usage.choices.GenerationKind",
        "YesNoUnknownEnum": "studio_tracker.usage.choices.YesNoUnknown",
        "ProductionKindEnum": "studio_tracker.productions.models.Production.Kind",
        "ClearanceKindEnum": "studio_tracker.usage.models.Clearance.Kind",
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: one line per PDF page.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
