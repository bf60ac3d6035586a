"""User accounts: registration, sign-in, roles, API tokens and the login throttle.

Framework-free: the dashboard's login gate (`stockcore.interfaces.ui.auth`) and the REST API
(`stockcore.interfaces.api`) both call these functions, so one account signs in to both.

* `permissions` - roles (owner, manager, staff), what each may do, which pages each sees
* `users`       - registering, managing and signing in to accounts
* `signup`      - who may open an account: the first owner, invitations, open sign-up
* `invitations` - one-time codes the owner makes for newcomers, with a role and an expiry
* `api_keys`    - scoped keys for storefronts and scripts, kept hashed, revocable
* `codes`       - the random secrets behind invitations and API keys, and their digests
* `passwords`   - the rules for a password and its argon2id hash
* `throttle`    - failed sign-ins per account and address, in the database (every process)
* `tokens`      - expiring API tokens (JWT, HS256) and the key that signs them
* `sessions`    - the check every signed-in request makes; signing out one token or everywhere
* `lifecycle`   - changing and resetting passwords, disabling and deleting accounts
* `errors`      - the refusals, each under its category
"""

from __future__ import annotations

from stockcore.accounts.api_keys import (
    KEY_KIND,
    SCOPE_PERMISSIONS,
    ApiKey,
    IssuedApiKey,
    Scope,
    create_api_key,
    list_api_keys,
    looks_like_api_key,
    parse_scopes,
    revoke_api_key,
    use_api_key,
)
from stockcore.accounts.errors import (
    AuthenticationFailed,
    DuplicateAccount,
    InvalidApiKey,
    InvalidInvitation,
    InvalidPassword,
    InvalidToken,
    KeyNotAllowed,
    NotAllowed,
    SignUpClosed,
    TooManyAttempts,
    UnknownApiKey,
    UnknownInvitation,
    UnknownUser,
    WrongPassword,
)
from stockcore.accounts.invitations import (
    DEFAULT_VALID_DAYS,
    MAX_VALID_DAYS,
    SIGNUP_QUERY,
    Invitation,
    InvitationStatus,
    IssuedInvitation,
    create_invitation,
    list_invitations,
    parse_valid_days,
    revoke_invitation,
)
from stockcore.accounts.lifecycle import (
    change_password,
    change_user,
    delete_user,
    delete_user_by_name,
    reset_password,
    set_active,
    set_password,
)
from stockcore.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    hash_password,
    parse_password,
)
from stockcore.accounts.permissions import (
    PAGE_PERMISSIONS,
    ROLE_PERMISSIONS,
    STOCK_PAGE,
    Permission,
    Role,
    may,
    may_see,
)
from stockcore.accounts.sessions import (
    revoked_token_count,
    session_user,
    sign_out,
    sign_out_everywhere,
    sign_out_everywhere_by_name,
    user_for_token,
)
from stockcore.accounts.signup import parse_switch, set_open_signup, signup_is_open
from stockcore.accounts.throttle import LoginThrottle, utc_now
from stockcore.accounts.tokens import (
    DASHBOARD_AUDIENCE,
    DEFAULT_SIGN_IN_DAYS,
    MAX_SIGN_IN_DAYS,
    SECRET_KEY_ENV,
    SECRET_KEY_FILE_ENV,
    SECRET_KEY_MIN_LENGTH,
    SIGN_IN_DAYS_ENV,
    TOKEN_ALGORITHM,
    TOKEN_TTL,
    IssuedToken,
    TokenClaims,
    issue_token,
    load_secret_key,
    read_token,
    secret_key_path,
    sign_in_lifetime,
    token_user_id,
)
from stockcore.accounts.users import (
    EMAIL_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    User,
    assign_role,
    authenticate,
    create_user,
    get_user,
    has_users,
    list_users,
    parse_email,
    parse_role,
    parse_username,
    register,
    set_role,
)

# What `load_secret_key` raises for a key that is too short.
from stockcore.domain import StockcoreError

__all__ = [
    "DASHBOARD_AUDIENCE",
    "DEFAULT_SIGN_IN_DAYS",
    "DEFAULT_VALID_DAYS",
    "EMAIL_MAX_LENGTH",
    "KEY_KIND",
    "MAX_SIGN_IN_DAYS",
    "MAX_VALID_DAYS",
    "PAGE_PERMISSIONS",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "ROLE_PERMISSIONS",
    "SCOPE_PERMISSIONS",
    "SECRET_KEY_ENV",
    "SECRET_KEY_FILE_ENV",
    "SECRET_KEY_MIN_LENGTH",
    "SIGNUP_QUERY",
    "SIGN_IN_DAYS_ENV",
    "STOCK_PAGE",
    "TOKEN_ALGORITHM",
    "TOKEN_TTL",
    "USERNAME_MAX_LENGTH",
    "ApiKey",
    "AuthenticationFailed",
    "DuplicateAccount",
    "InvalidApiKey",
    "InvalidInvitation",
    "InvalidPassword",
    "InvalidToken",
    "Invitation",
    "InvitationStatus",
    "IssuedApiKey",
    "IssuedInvitation",
    "IssuedToken",
    "KeyNotAllowed",
    "LoginThrottle",
    "NotAllowed",
    "Permission",
    "Role",
    "Scope",
    "SignUpClosed",
    "StockcoreError",
    "TokenClaims",
    "TooManyAttempts",
    "UnknownApiKey",
    "UnknownInvitation",
    "UnknownUser",
    "User",
    "WrongPassword",
    "assign_role",
    "authenticate",
    "change_password",
    "change_user",
    "create_api_key",
    "create_invitation",
    "create_user",
    "delete_user",
    "delete_user_by_name",
    "get_user",
    "has_users",
    "hash_password",
    "issue_token",
    "list_api_keys",
    "list_invitations",
    "list_users",
    "load_secret_key",
    "looks_like_api_key",
    "may",
    "may_see",
    "parse_email",
    "parse_password",
    "parse_role",
    "parse_scopes",
    "parse_switch",
    "parse_username",
    "parse_valid_days",
    "read_token",
    "register",
    "reset_password",
    "revoke_api_key",
    "revoke_invitation",
    "revoked_token_count",
    "secret_key_path",
    "session_user",
    "set_active",
    "set_open_signup",
    "set_password",
    "set_role",
    "sign_in_lifetime",
    "sign_out",
    "sign_out_everywhere",
    "sign_out_everywhere_by_name",
    "signup_is_open",
    "token_user_id",
    "use_api_key",
    "user_for_token",
    "utc_now",
]
