"""Signing out and an account's life: POST /logout, sign out everywhere, changing and
resetting passwords, deleting an account."""

from fastapi import APIRouter, Response

from stockcore import accounts
from stockcore.interfaces.api.deps import Anyone, ClientAddress, Context, Db, Owner, Token
from stockcore.interfaces.api.errors import SIGNED_IN_ERRORS
from stockcore.interfaces.api.schemas.accounts import (
    PasswordChangeIn,
    PasswordResetIn,
    TokenOut,
    UserOut,
)

router = APIRouter(tags=["accounts"])


@router.post("/logout", status_code=204, responses=SIGNED_IN_ERRORS)
def logout(_user: Anyone, token: Token, context: Context) -> Response:
    """Sign this token out: it is refused (401) from now on."""
    accounts.sign_out(context.db, token, context.secret_key, now=context.now())
    return Response(status_code=204)


@router.post("/me/sign-out-everywhere", status_code=204, responses=SIGNED_IN_ERRORS)
def sign_out_everywhere(user: Anyone, db: Db) -> Response:
    """End every token and dashboard session of your account, this token's too."""
    accounts.sign_out_everywhere(db, user, user.user_id)
    return Response(status_code=204)


@router.post("/me/password", response_model=TokenOut, responses=SIGNED_IN_ERRORS)
def change_password(
    body: PasswordChangeIn, user: Anyone, context: Context, address: ClientAddress
) -> TokenOut:
    """Change your password, giving the current one (422 if it is wrong; 429 with
    Retry-After after repeated wrong ones, as for /login). Every other token and session
    of the account ends, this one too: carry on with the new token."""
    changed = accounts.change_password(
        context.db,
        user,
        body.current_password,
        body.new_password,
        throttle=context.throttle,
        address=address,
    )
    issued = accounts.issue_token(
        changed, context.secret_key, now=context.now(), ttl=context.token_ttl
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at, role=changed.role.value)


@router.post("/users/{user_id}/password", response_model=UserOut, responses=SIGNED_IN_ERRORS)
def reset_password(user_id: str, body: PasswordResetIn, user: Owner, db: Db) -> UserOut:
    """The owner sets someone else's password; their tokens and sessions end."""
    return UserOut.of(accounts.reset_password(db, user, user_id, body.new_password))


@router.post("/users/{user_id}/sign-out", response_model=UserOut, responses=SIGNED_IN_ERRORS)
def sign_out_user(user_id: str, user: Owner, db: Db) -> UserOut:
    """The owner ends every token and dashboard session of an account."""
    return UserOut.of(accounts.sign_out_everywhere(db, user, user_id))


@router.delete("/users/{user_id}", status_code=204, responses=SIGNED_IN_ERRORS)
def delete_user(user_id: str, user: Owner, db: Db) -> Response:
    """The owner deletes an account (not their own; never the last active owner). Ledger
    rows and sales it recorded keep its username."""
    accounts.delete_user(db, user, user_id)
    return Response(status_code=204)
