"""What every API operation goes through: the token (401), its scope (403), its rate limit (429)
and, for POSTs, the idempotency key.

- `token_required("candidates:write")` reads `Authorization: Bearer <jeton>`, finds the active
  token, checks the scope, counts the request against the token's limit (API_RATE_LIMIT, per
  token, in the limiter's storage: memory or RATELIMIT_STORAGE_URI), and puts the token and its
  organisation's service account in `g.api_token` / `g.api_user`.
- `idempotent` (under token_required): with an `Idempotency-Key` header, the key is reserved
  with the request's hash before the operation runs (a unique row per token and key, committed:
  a concurrent twin sees it); the answer is stored; the same key with the same request gets the
  same answer again, with another request a 409. An operation that fails frees the key.
"""
import hashlib
import json
from functools import wraps

import sqlalchemy as sa
from flask import Response, current_app, g, request
from flask_smorest import abort
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from clausematch.accounts.models import User
from clausematch.api import tokens
from clausematch.api.models import ApiToken, IdempotencyKey
from clausematch.extensions import db

SECURITY = [{"jeton": []}]
MAX_KEY = 200
LIMITER_KEY = "clausematch-api-limiter"


def current_user() -> User:
    return g.api_user


def current_token() -> ApiToken:
    return g.api_token


def _limiter():
    limiter = current_app.extensions.get(LIMITER_KEY)
    if limiter is None:
        storage = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        limiter = current_app.extensions[LIMITER_KEY] = FixedWindowRateLimiter(storage)
    return limiter


def _check_rate(token: ApiToken) -> None:
    if not current_app.config["API_RATELIMIT_ENABLED"]:
        return
    limiter = _limiter()
    for limit in parse_many(current_app.config["API_RATE_LIMIT"]):
        if not limiter.hit(limit, "api-token", str(token.id)):
            reset = limiter.get_window_stats(limit, "api-token", str(token.id)).reset_time
            import time
            retry = max(1, int(reset - time.time()))
            abort(429, headers={"Retry-After": str(retry)})


def authenticate_request() -> ApiToken:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else None
    if token is None:
        abort(401)
    return token


def token_required(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = authenticate_request()
            if scope not in token.scope_list:
                abort(403, message=f"Ce jeton n'a pas la permission « {scope} ».")
            _check_rate(token)
            tokens.touch(token)
            g.api_token, g.api_user = token, token.service_user
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY:
            abort(400, message=f"La clé d'idempotence ne peut dépasser {MAX_KEY} caractères.")
        token = current_token()
        request_hash = _request_hash()
        reserved = IdempotencyKey(token_id=token.id, key=key, request_hash=request_hash)
        db.session.add(reserved)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            return _replay(token.id, key, request_hash)
        reserved_id = reserved.id
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == reserved_id))
            db.session.commit()
            raise
        if isinstance(response, Response) and response.status_code < 400:
            db.session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.id == reserved_id)
                               .values(status_code=response.status_code, response_body=response.get_data(as_text=True)))
        else:
            db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == reserved_id))
        db.session.commit()
        return response
    return wrapper


def _replay(token_id: int, key: str, request_hash: str):
    stored = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.token_id == token_id,
                                                               IdempotencyKey.key == key))
    if stored is None:  # freed meanwhile (the first request failed): the client may simply retry
        abort(409, message="Une requête avec cette clé d'idempotence vient d'échouer : réessayez.")
    if stored.request_hash != request_hash:
        abort(409, message="Cette clé d'idempotence a déjà servi pour une autre requête.")
    if stored.status_code is None:
        abort(409, message="Une requête avec cette clé d'idempotence est en cours : réessayez dans un instant.")
    response = Response(stored.response_body, status=stored.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
