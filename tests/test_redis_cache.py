"""The Redis cache backend keeps one Redis client per connection pool (slm_portal/redis_cache.py)."""

import secrets

from slm_portal import env
from slm_portal.redis_cache import SharedClientRedisCache
from tests.services import unavailable

URL = "redis://127.0.0.1:6379/2"


def test_a_redis_cache_url_gives_the_shared_client_backend(monkeypatch):
    monkeypatch.setenv("SLM_CACHE", URL)
    assert env.env_cache("SLM_CACHE", "locmem://")["BACKEND"] == "slm_portal.redis_cache.SharedClientRedisCache"


def test_the_backend_stores_and_reads_through_one_client():
    backend = SharedClientRedisCache(URL, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    try:
        backend.set("answer", {"value": 42}, 30)
    except Exception as error:  # noqa: BLE001 - no Redis on this machine
        if "Connection" not in type(error).__name__:
            raise
        unavailable(f"no Redis at {URL}")
    client = backend._cache.get_client(write=True)

    assert backend.get("answer") == {"value": 42}
    assert backend.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    assert backend._cache.get_client() is client
    assert backend._cache.get_client(write=True) is client
    backend.delete("answer")
    assert backend.get("answer") is None
