"""MSAL Python side of the interop test (see run.sh).

    python3 peer.py roundtrip <in.json> <out.json> <meta.json>   read, check, serialize()
    python3 peer.py read <in.json> <meta.json>                    read and check only

Exits non-zero on any failure. Never touches the network: a stub HTTP client answers the
OpenID configuration request and refuses everything else.
"""
import json
import sys

import msal

mode, path = sys.argv[1], sys.argv[2]
meta_path = sys.argv[4] if mode == "roundtrip" else sys.argv[3]
with open(meta_path) as f:
    meta = json.load(f)
tenant = meta["tenant"]
authority = "https://login.microsoftonline.com/" + tenant


def fail(msg):
    print("msal-python: %s: %s" % (path, msg), file=sys.stderr)
    sys.exit(1)


class Response:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.text = json.dumps(body)
        self.headers = {}

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError("HTTP %d" % self.status_code)


class NoNetwork:
    def get(self, url, params=None, headers=None, **kwargs):
        if url.endswith("/.well-known/openid-configuration"):
            return Response(200, {
                "authorization_endpoint": authority + "/oauth2/v2.0/authorize",
                "token_endpoint": authority + "/oauth2/v2.0/token",
                "end_session_endpoint": authority + "/oauth2/v2.0/logout",
                "device_authorization_endpoint": authority + "/oauth2/v2.0/devicecode",
                "issuer": authority + "/v2.0",
            })
        raise RuntimeError("unexpected network GET " + url)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        raise RuntimeError("unexpected network POST " + url)

    def close(self):
        pass


with open(path) as f:
    text = f.read()
cache = msal.SerializableTokenCache()
cache.deserialize(text)
app = msal.PublicClientApplication(
    meta["clientId"], authority=authority, token_cache=cache, http_client=NoNetwork())

accounts = app.get_accounts()
if len(accounts) != 1:
    fail("expected 1 account, got %d" % len(accounts))
account = accounts[0]
if account.get("home_account_id") != meta["homeAccountId"]:
    fail("home_account_id %r" % account.get("home_account_id"))
if account.get("username") != meta["username"]:
    fail("username %r" % account.get("username"))

result = app.acquire_token_silent([meta["scope"]], account=account)
if not result or "access_token" not in result:
    fail("acquire_token_silent returned %r" % (result and {k: v for k, v in result.items() if "token" not in k}))
if result["access_token"] != meta["accessToken"]:
    fail("acquire_token_silent did not return the cached access token")
if result.get("token_source") not in (None, "cache"):
    fail("the access token did not come from the cache: %r" % result.get("token_source"))

if mode == "roundtrip":
    with open(sys.argv[3], "w") as f:
        f.write(cache.serialize())
print("msal-python: %s: ok (1 account, cached access token served)" % path)
