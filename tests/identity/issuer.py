"""A small OpenID provider on 127.0.0.1 for the tests that need to hand the portal a bad answer: an HTTP server of
its own (a thread), RSA-signed ID tokens, single-use codes bound to their PKCE challenge.

The test plays the person at the provider: ``authorize(location, claims)`` reads the authorization request the
portal redirected to and returns the callback's query (code and state). What the next token answer gets wrong is set
on ``id_token_changes`` (claims to override: an old ``exp``, another ``nonce`` or ``iss``...) or ``sign_with``.
The real provider process of the browser test (tests/identity/oidc_provider/) shows the happy journey with a
provider library; this one lets each check of the portal be proved by a token that fails only that check.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

_KEYS = []


def _keys():
    """Two RSA keys with the same key id (the second signs tokens the provider never published), made once."""
    if not _KEYS:
        _KEYS.extend(
            RSAKey.generate_key(2048, parameters={"kid": "stub-1", "use": "sig", "alg": "RS256"}) for _ in range(2)
        )
    return _KEYS


class StubIssuer:
    def __init__(self, client_id="slm-portal", client_secret="stub-secret"):  # noqa: S107 (a test provider's own)
        self.client_id = client_id
        self.client_secret = client_secret
        self.key, self.other_key = _keys()
        self.codes = {}  # code -> the authorization request's parameters and the claims
        self.access_tokens = {}
        self.id_token_changes = {}
        self.sign_with = None
        self.announced_issuer = None
        self.issued_id_tokens = []
        self.replay_id_token = None  # served instead of a new ID token
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def provider_json(self, name="stub", label="Stub ID"):
        return {"name": name, "label": label, "issuer": self.issuer, "client_id": self.client_id}

    def metadata(self):
        return {
            "issuer": self.announced_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, location, claims):
        """The callback's query string for the authorization request at ``location``, the person having ``claims``."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == self.client_id
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"request": query, "claims": claims}
        return urlencode({"code": code, "state": query["state"]}), query

    def _id_token(self, request, claims):
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": claims["sub"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": request.get("nonce"),
        } | {key: value for key, value in claims.items() if key != "sub"}
        payload |= self.id_token_changes
        payload = {key: value for key, value in payload.items() if value is not None}
        token = jwt.encode({"alg": "RS256", "kid": "stub-1"}, payload, self.sign_with or self.key)
        self.issued_id_tokens.append(token)
        return token

    def _token(self, form, authorization):
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code"), None)  # single use
        if grant is None:
            return 400, {"error": "invalid_grant", "error_description": "code unknown or used"}
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["request"]["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        if form.get("redirect_uri") != grant["request"]["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = grant["claims"]
        id_token = self.replay_id_token or self._id_token(grant["request"], grant["claims"])
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    return self._send(200, stub.metadata())
                if path == "/jwks":
                    return self._send(200, KeySet([stub.key]).as_dict(private=False))
                if path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = stub.access_tokens.get(token)
                    return self._send(200, claims) if claims else self._send(401, {"error": "invalid_token"})
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._send(404, {"error": "not_found"})
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {key: values[0] for key, values in parse_qs(body).items()}
                return self._send(*stub._token(form, self.headers.get("Authorization")))

        return Handler
