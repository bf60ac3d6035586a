"""User accounts: registration, sign-in, roles, API tokens and the login throttle.

Framework-free: the dashboard's login gate (`stockcore.interfaces.ui.auth`) and the REST API
(`stockcore.interfaces.api`) both call these functions, so one account signs in to both.

* `permissions` - roles (owner, manager, staff), what each may do, which pages each sees
* `users`       - registering, managing and signing in to accounts
* `passwords`   - the rules for a password and its argon2id hash
* `throttle`    - failed sign-ins per account and address, in the database (every process)
* `tokens`      - expiring API tokens (JWT, HS256) and the key that signs them
* `errors`      - the refusals, each under its category
"""

from __future__ import annotations

from stockcore.accounts.errors import (
    AuthenticationFailed,
    DuplicateAccount,
    InvalidPassword,
    InvalidToken,
    NotAllowed,
    TooManyAttempts,
    UnknownUser,
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
from stockcore.accounts.throttle import LoginThrottle, utc_now
from stockcore.accounts.tokens import (
    SECRET_KEY_ENV,
    SECRET_KEY_FILE_ENV,
    SECRET_KEY_MIN_LENGTH,
    TOKEN_ALGORITHM,
    TOKEN_TTL,
    IssuedToken,
    issue_token,
    load_secret_key,
    secret_key_path,
    token_user_id,
    user_for_token,
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
    "EMAIL_MAX_LENGTH",
    "PAGE_PERMISSIONS",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "ROLE_PERMISSIONS",
    "SECRET_KEY_ENV",
    "SECRET_KEY_FILE_ENV",
    "SECRET_KEY_MIN_LENGTH",
    "STOCK_PAGE",
    "TOKEN_ALGORITHM",
    "TOKEN_TTL",
    "USERNAME_MAX_LENGTH",
    "AuthenticationFailed",
    "DuplicateAccount",
    "InvalidPassword",
    "InvalidToken",
    "IssuedToken",
    "LoginThrottle",
    "NotAllowed",
    "Permission",
    "Role",
    "StockcoreError",
    "TooManyAttempts",
    "UnknownUser",
    "User",
    "assign_role",
    "authenticate",
    "create_user",
    "get_user",
    "has_users",
    "hash_password",
    "issue_token",
    "list_users",
    "load_secret_key",
    "may",
    "may_see",
    "parse_email",
    "parse_password",
    "parse_role",
    "parse_username",
    "register",
    "secret_key_path",
    "set_role",
    "token_user_id",
    "user_for_token",
    "utc_now",
]
