"""BSG's JWT login: the tokens ``POST /api/auth/login`` hands out, and which bearers are accepted.

Documented: ``POST /api/auth/login`` ``{"api_key"}`` -> ``{"bearer": JWT}``; ``POST
/api/auth/refresh`` (with a valid JWT) -> a new ``{"bearer"}``; ``Authorization: Bearer <jwt>``
on every other call (OpenAPI ``components.securitySchemes``, the official SDKs).

Guessed: the JWT is HS256 with a per-server secret and ``exp`` = login time + ``bsg_jwt_ttl``;
the prose's ``Bearer: <jwt>`` header is refused; a wrong key or bad JWT answers ``401
{"message": "Unauthenticated."}``; a login body without ``api_key`` answers the validation 422.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import uuid

import jwt

from .credentials import SimulatorCredentials
from .http_types import SimRequest, SimResponse, json_response

INVALID = "The given data was invalid."
UNAUTHENTICATED = {"message": "Unauthenticated."}


def bearer_token(req: SimRequest) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else ``None``."""
    scheme, _, token = req.headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class BsgTokens:
    """Mints and checks BSG bearer JWTs; :meth:`revoke_all` invalidates every one issued so far."""

    def __init__(self, creds: SimulatorCredentials) -> None:
        """A fresh signing secret per simulator."""
        self.creds = creds
        self._secret = secrets.token_bytes(32)
        self._generation = 0
        self._lock = threading.Lock()

    def mint(self) -> str:
        """A new bearer JWT."""
        now = time.time()
        ttl = float(self.creds.bsg_jwt_ttl)
        exp: float = int(now) + int(ttl) if ttl.is_integer() else now + ttl
        claims = {"iss": "bsg-simulator", "sub": "api", "iat": int(now), "exp": exp, "jti": uuid.uuid4().hex, "gen": self._generation}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def valid(self, token: str) -> bool:
        """Whether a JWT is ours, unexpired and not revoked."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
        except jwt.PyJWTError:
            return False
        exp = claims.get("exp")
        return isinstance(exp, (int, float)) and exp > time.time() and claims.get("gen") == self._generation

    def revoke_all(self) -> None:
        """Make every JWT issued so far invalid."""
        with self._lock:
            self._generation += 1

    def login(self, req: SimRequest) -> SimResponse:
        """``POST /api/auth/login``."""
        key = req.json.get("api_key") if isinstance(req.json, dict) else None
        if not isinstance(key, str) or not key:
            return json_response(422, {"message": INVALID, "errors": {"api_key": ["The api key field is required."]}})
        if not hmac.compare_digest(key.encode(), self.creds.bsg_api_key.encode()):
            return json_response(401, UNAUTHENTICATED)
        return json_response(200, {"bearer": self.mint()})

    def refresh(self) -> SimResponse:
        """``POST /api/auth/refresh`` (the caller already checked the bearer)."""
        return json_response(200, {"bearer": self.mint()})
