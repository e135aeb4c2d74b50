"""Single-use secret links (invitations, password resets): random tokens, stored hashed."""
import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the SHA-256 hex digest to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
