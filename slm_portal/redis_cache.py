"""Django's Redis cache, with one Redis client object per connection pool instead of one per cache operation.

Django's RedisCacheClient builds a new ``redis.Redis`` around the (shared) connection pool for every get or set,
and redis-py's constructor fills a table of some 170 response callbacks each time: with the half-dozen cache reads
of a dashboard request, that was about a millisecond of CPU per request. A ``redis.Redis`` is safe to share between
threads (each command takes a connection from the pool), so one per pool does the same work.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
