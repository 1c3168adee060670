# hvac (Debian's python3-hvac) against a real `coffer server`: each step drives hvac's public
# API as a Vault user would and checks what comes back, so an incompatibility shows up as the
# exact hvac call that broke. Run by hvac.test.ts with /usr/bin/python3; it prints one line per
# step, `ok <step>` or `FAIL <step>: <reason>`, keeps going after a failure (later steps report
# their own state) and exits 1 if any step failed.
#
# Modes (argv[1]):
#   full  COFFER_ADDR is a -config server (inmem, plain HTTP) that is still uninitialised and
#         sealed; COFFER_SECOND_ADDR another one, used for the uninitialised and sealed health codes.
#         COFFER_PG_* name a PostgreSQL database with a superuser and an existing user for a static
#         role, and COFFER_PSQL the psql that checks the credentials Vault hands out really log in.
#   tls   COFFER_ADDR is an https:// server, COFFER_CACERT the CA that signed its certificate;
#         COFFER_ROOT_TOKEN is set for a dev server, absent for a -config one (then this script
#         initialises and unseals it and mounts KV v2 at secret/ first).

import json
import os
import subprocess
import sys
import traceback

import hvac
import hvac.exceptions as exc
import requests

ADDR = os.environ["COFFER_ADDR"]
MODE = sys.argv[1]
failures = []


def step(name):
    """Runs the decorated function at once as one named step."""

    def run(fn):
        try:
            fn()
            print(f"ok {name}", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported, then the next step runs
            failures.append(name)
            detail = "".join(traceback.format_exception_only(type(error), error)).strip().replace("\n", " | ")
            where = traceback.extract_tb(error.__traceback__)[-1]
            print(f"FAIL {name}: line {where.lineno}: {detail}", flush=True)
        return fn

    return run


def raises(kind, call, *args, **kwargs):
    """The hvac exception `call` must raise: Vault's status mapped by hvac.utils.raise_for_error."""
    try:
        result = call(*args, **kwargs)
    except kind as error:
        return error
    except exc.VaultError as error:
        raise AssertionError(f"expected {kind.__name__}, got {type(error).__name__}: {error}") from error
    raise AssertionError(f"expected {kind.__name__}, got a result: {result!r}")


def message(error):
    """The text of Vault's `errors` list as hvac keeps it (joined with ', ')."""
    return error.args[0] if error.args else ""


state = {}


def client(token=None, url=ADDR):
    # verify=None would consult VAULT_CACERT; the test passes the CA explicitly instead.
    return hvac.Client(url=url, token=token, verify=os.environ.get("COFFER_CACERT", True))


def unseal_with(c, keys):
    for key in keys:
        status = c.sys.submit_unseal_key(key)
    return status


if MODE == "full":
    anon = client()
    second = client(url=os.environ["COFFER_SECOND_ADDR"])

    @step("health: uninitialised server answers 501")
    def _():
        # hvac's read_health_status passes raise_exception=False, so a non-200 comes back as the
        # requests.Response itself instead of an hvac exception.
        response = second.sys.read_health_status(method="GET")
        assert isinstance(response, requests.Response), type(response)
        assert response.status_code == 501, response.status_code
        assert response.json()["initialized"] is False
        assert response.json()["sealed"] is True
        assert requests.get(f"{second.url}/v1/sys/health").status_code == 501
        head = second.sys.read_health_status()  # method="HEAD" by default
        assert head.status_code == 501 and head.text == "", (head.status_code, head.text)

    @step("health: initialised but sealed server answers 503")
    def _():
        result = second.sys.initialize(1, 1)
        assert len(result["keys"]) == 1
        response = second.sys.read_health_status(method="GET")
        assert isinstance(response, requests.Response), type(response)
        assert response.status_code == 503, response.status_code
        body = response.json()
        assert body["initialized"] is True and body["sealed"] is True, body
        assert requests.get(f"{second.url}/v1/sys/health").status_code == 503
        # sealedcode overrides the status, as a load balancer check would ask.
        assert second.sys.read_health_status(method="GET", sealed_code=299).status_code == 299
        # Any logical request on a sealed vault: 503, which hvac maps to VaultDown.
        second.token = result["root_token"]
        error = raises(exc.VaultDown, second.sys.list_mounted_secrets_engines)
        assert "Vault is sealed" in message(error), message(error)

    @step("sys.initialize(3, 2)")
    def _():
        assert anon.sys.is_initialized() is False
        status = anon.sys.read_seal_status()
        assert status["initialized"] is False and status["sealed"] is True, status
        result = anon.sys.initialize(3, 2)
        keys = result["keys"]
        assert len(keys) == 3 and len(set(keys)) == 3, keys
        assert all(len(k) == 66 for k in keys), keys
        assert len(result["keys_base64"]) == 3
        assert result["root_token"].startswith("hvs."), result["root_token"]
        state["keys"] = keys
        state["root"] = result["root_token"]
        assert anon.sys.is_initialized() is True
        assert anon.sys.is_sealed() is True
        error = raises(exc.InvalidRequest, anon.sys.initialize, 3, 2)
        assert "Vault is already initialized" in message(error), message(error)

    @step("unseal with two distinct keys")
    def _():
        keys = state["keys"]
        first = anon.sys.submit_unseal_key(keys[0])
        assert first["sealed"] is True and first["progress"] == 1 and first["t"] == 2 and first["n"] == 3, first
        assert first["nonce"], first
        # The same share twice does not count twice.
        again = anon.sys.submit_unseal_key(keys[0])
        assert again["sealed"] is True and again["progress"] == 1, again
        assert anon.sys.is_sealed() is True
        done = anon.sys.submit_unseal_key(keys[1])
        assert done["sealed"] is False and done["progress"] == 0, done
        assert anon.sys.is_sealed() is False

    root = client(token=state.get("root"))

    @step("sys.seal() then unseal again")
    def _():
        root.sys.seal()
        assert root.sys.is_sealed() is True
        error = raises(exc.VaultDown, root.secrets.kv.v2.read_secret_version, "x")
        assert "Vault is sealed" in message(error), message(error)
        status = anon.sys.submit_unseal_keys([state["keys"][2], state["keys"][0]])
        assert status["sealed"] is False, status
        assert root.sys.is_sealed() is False
        assert root.auth.token.lookup_self()["data"]["policies"] == ["root"]

    @step("enable KV v2 at secret/")
    def _():
        root.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
        assert root.sys.retrieve_mount_option("secret", "version") == "2"

    kv = root.secrets.kv.v2

    @step("kv2 create_or_update_secret")
    def _():
        written = kv.create_or_update_secret("app/db", {"password": "one"})
        assert written["data"]["version"] == 1, written
        assert written["data"]["destroyed"] is False and written["data"]["deletion_time"] == "", written

    @step("kv2 update with cas")
    def _():
        written = kv.create_or_update_secret("app/db", {"password": "two"}, cas=1)
        assert written["data"]["version"] == 2, written
        error = raises(exc.InvalidRequest, kv.create_or_update_secret, "app/db", {"password": "three"}, cas=1)
        assert "check-and-set parameter did not match the current version" in message(error), message(error)

    @step("kv2 read_secret_version (latest and version=1)")
    def _():
        latest = kv.read_secret_version("app/db")
        assert latest["data"]["data"] == {"password": "two"}, latest
        assert latest["data"]["metadata"]["version"] == 2, latest
        first = kv.read_secret_version("app/db", version=1)
        assert first["data"]["data"] == {"password": "one"}, first
        assert first["data"]["metadata"]["version"] == 1, first
        raises(exc.InvalidPath, kv.read_secret_version, "app/missing")

    @step("kv2 read_secret_metadata")
    def _():
        meta = kv.read_secret_metadata("app/db")["data"]
        # oldest_version stays 0 until max_versions trims a version (Vault's API docs show 0 too).
        assert meta["current_version"] == 2 and meta["oldest_version"] == 0, meta
        assert sorted(meta["versions"].keys()) == ["1", "2"], meta
        assert meta["max_versions"] == 0 and meta["cas_required"] is False, meta

    @step("kv2 delete_latest_version_of_secret")
    def _():
        kv.delete_latest_version_of_secret("app/db")
        error = raises(exc.InvalidPath, kv.read_secret_version, "app/db")
        # Vault answers a deleted version with 404 *and* the version's metadata; hvac keeps that
        # body as the exception's text because it has no `errors` list.
        body = json.loads(message(error))
        assert body["data"]["data"] is None, body
        assert body["data"]["metadata"]["version"] == 2 and body["data"]["metadata"]["deletion_time"] != "", body

    @step("kv2 undelete_secret_versions")
    def _():
        kv.undelete_secret_versions("app/db", versions=[2])
        assert kv.read_secret_version("app/db")["data"]["data"] == {"password": "two"}

    @step("kv2 destroy_secret_versions")
    def _():
        kv.destroy_secret_versions("app/db", versions=[1])
        error = raises(exc.InvalidPath, kv.read_secret_version, "app/db", version=1)
        body = json.loads(message(error))
        assert body["data"]["metadata"]["destroyed"] is True, body
        assert kv.read_secret_metadata("app/db")["data"]["versions"]["1"]["destroyed"] is True

    @step("kv2 list_secrets")
    def _():
        kv.create_or_update_secret("app/api", {"key": "k"})
        kv.create_or_update_secret("app/nested/deep", {"x": "y"})
        assert kv.list_secrets("app")["data"]["keys"] == ["api", "db", "nested/"]
        assert kv.list_secrets("")["data"]["keys"] == ["app/"]
        # strict_http: hvac sends GET ?list=true instead of the LIST verb.
        strict = hvac.Client(url=ADDR, token=state["root"], strict_http=True)
        assert strict.secrets.kv.v2.list_secrets("app")["data"]["keys"] == ["api", "db", "nested/"]
        raises(exc.InvalidPath, kv.list_secrets, "nothing-here")

    @step("kv2 delete_metadata_and_all_versions")
    def _():
        kv.delete_metadata_and_all_versions("app/api")
        raises(exc.InvalidPath, kv.read_secret_metadata, "app/api")
        raises(exc.InvalidPath, kv.read_secret_version, "app/api")
        assert kv.list_secrets("app")["data"]["keys"] == ["db", "nested/"]

    @step("policy: read-only token reads, list is Forbidden")
    def _():
        root.sys.create_or_update_policy("app-db-reader", 'path "secret/data/app/db" {\n  capabilities = ["read"]\n}\n')
        assert "app-db-reader" in root.sys.list_policies()["data"]["policies"]
        assert 'secret/data/app/db' in root.sys.read_policy("app-db-reader")["data"]["rules"]
        created = root.auth.token.create(policies=["app-db-reader"])
        assert created["auth"]["policies"] == ["app-db-reader", "default"], created
        reader = client(token=created["auth"]["client_token"])
        assert reader.secrets.kv.v2.read_secret_version("app/db")["data"]["data"] == {"password": "two"}
        error = raises(exc.Forbidden, reader.secrets.kv.v2.list_secrets, "app")
        assert "permission denied" in message(error), message(error)
        error = raises(exc.Forbidden, reader.secrets.kv.v2.create_or_update_secret, "app/db", {"password": "mine"})
        assert "permission denied" in message(error), message(error)

    @step("token create/lookup/lookup_self/renew/revoke")
    def _():
        created = root.auth.token.create(policies=["default"], ttl="1h", meta={"purpose": "hvac"})
        auth = created["auth"]
        token = auth["client_token"]
        assert auth["lease_duration"] == 3600 and auth["renewable"] is True, auth
        assert auth["metadata"] == {"purpose": "hvac"}, auth
        assert created["data"] is None, created
        looked = root.auth.token.lookup(token)["data"]
        assert looked["id"] == token and looked["accessor"] == auth["accessor"], looked
        assert 0 < looked["ttl"] <= 3600 and looked["meta"] == {"purpose": "hvac"}, looked
        holder = client(token=token)
        self_view = holder.auth.token.lookup_self()["data"]
        assert self_view["policies"] == ["default"] and self_view["id"] == token, self_view
        renewed = root.auth.token.renew(token, increment="2h")["auth"]
        assert renewed["client_token"] == token and renewed["lease_duration"] == 7200, renewed
        root.auth.token.revoke(token)
        error = raises(exc.Forbidden, holder.auth.token.lookup_self)
        assert "permission denied" in message(error), message(error)
        raises(exc.Forbidden, root.auth.token.lookup, token)

    @step("response wrapping: token create with wrap_ttl, sys.unwrap")
    def _():
        wrapped = root.auth.token.create(policies=["default"], wrap_ttl="60s")
        assert wrapped["auth"] is None, wrapped
        info = wrapped["wrap_info"]
        assert info["ttl"] == 60 and info["creation_path"] == "auth/token/create", info
        assert info["token"] and info["accessor"], info
        unwrapped = root.sys.unwrap(info["token"])
        inner = unwrapped["auth"]["client_token"]
        assert client(token=inner).auth.token.lookup_self()["data"]["policies"] == ["default"]
        error = raises(exc.InvalidRequest, root.sys.unwrap, info["token"])
        assert "wrapping token is not valid or does not exist" in message(error), message(error)

    @step("response wrapping: KV read through X-Vault-Wrap-TTL, unwrap with the wrapping token")
    def _():
        wrapped = root._adapter.get("/v1/secret/data/app/db", wrap_ttl="90s")
        info = wrapped["wrap_info"]
        assert wrapped["data"] is None and info["ttl"] == 90 and info["creation_path"] == "secret/data/app/db", wrapped
        # The wrapping token itself authenticates the unwrap (no token in the body).
        unwrapped = client(token=info["token"]).sys.unwrap()
        assert unwrapped["data"]["data"] == {"password": "two"}, unwrapped

    @step("mounts: enable/list/tune/read/disable")
    def _():
        root.sys.enable_secrets_engine("kv", path="scratch", description="hvac scratch", options={"version": "1"})
        mounts = root.sys.list_mounted_secrets_engines()
        assert mounts["data"]["scratch/"]["type"] == "kv", mounts["data"]["scratch/"]
        assert mounts["data"]["scratch/"]["description"] == "hvac scratch"
        # sys/mounts is one of the legacy routes whose data is repeated at the top level.
        assert mounts["scratch/"]["type"] == "kv"
        assert {"cubbyhole/", "identity/", "sys/", "secret/"} <= set(mounts["data"].keys()), mounts["data"].keys()
        error = raises(exc.InvalidRequest, root.sys.enable_secrets_engine, "kv", path="scratch")
        assert "path is already in use at scratch/" in message(error), message(error)
        fresh = root.sys.read_mount_configuration("scratch")
        assert fresh["data"]["default_lease_ttl"] == 2764800 and fresh["data"]["max_lease_ttl"] == 2764800, fresh
        root.sys.tune_mount_configuration("scratch", default_lease_ttl="1h", max_lease_ttl="2h", description="tuned")
        tuned = root.sys.read_mount_configuration("scratch")["data"]
        assert tuned["default_lease_ttl"] == 3600 and tuned["max_lease_ttl"] == 7200 and tuned["description"] == "tuned", tuned
        error = raises(exc.InvalidRequest, root.sys.tune_mount_configuration, "scratch", default_lease_ttl="3h")
        root.sys.disable_secrets_engine("scratch")
        assert "scratch/" not in root.sys.list_mounted_secrets_engines()["data"]

    @step("userpass: enable, create user, login, bad password, list, renew, delete")
    def _():
        root.sys.enable_auth_method("userpass")
        root.auth.userpass.create_or_update_user(username="Alice", password="correct horse", policies=["readonly"])
        user = root.auth.userpass.read_user(username="alice")["data"]
        assert user["token_policies"] == ["readonly"] and "password" not in user, user
        assert root.auth.userpass.list_user()["data"]["keys"] == ["alice"]
        person = client()
        login = person.auth.userpass.login(username="ALICE", password="correct horse")
        auth = login["auth"]
        assert auth["policies"] == ["default", "readonly"] and auth["metadata"] == {"username": "alice"}, auth
        assert auth["orphan"] is True and auth["renewable"] is True and auth["token_type"] == "service", auth
        assert person.token == auth["client_token"] and person.is_authenticated()
        assert person.lookup_token()["data"]["display_name"] == "userpass-alice"
        assert person.renew_self_token()["auth"]["client_token"] == auth["client_token"]
        error = raises(exc.InvalidRequest, client().auth.userpass.login, username="alice", password="wrong")
        assert message(error) == "invalid username or password", message(error)
        error = raises(exc.InvalidRequest, client().auth.userpass.login, username="nobody", password="wrong")
        assert message(error) == "invalid username or password", message(error)
        root.auth.userpass.delete_user(username="alice")
        raises(exc.InvalidRequest, client().auth.userpass.login, username="alice", password="correct horse")

    @step("approle: the pull flow (role, role id, wrapped secret id, unwrap, login, read, uses exhausted)")
    def _():
        root.sys.enable_auth_method("approle")
        root.sys.create_or_update_policy("jenkins", 'path "secret/data/mysql/*" { capabilities = ["read"] }')
        root.secrets.kv.v2.create_or_update_secret("mysql/webapp", secret={"db_name": "users", "password": "passw0rd"})
        root.auth.approle.create_or_update_approle("jenkins", token_policies=["jenkins"], token_ttl="1h", token_max_ttl="4h", secret_id_num_uses=1)
        role = root.auth.approle.read_role("jenkins")["data"]
        assert role["token_ttl"] == 3600 and role["token_max_ttl"] == 14400 and "role_id" not in role, role
        role_id = root.auth.approle.read_role_id("jenkins")["data"]["role_id"]
        wrapped = root._adapter.post("/v1/auth/approle/role/jenkins/secret-id", wrap_ttl="60s")
        info = wrapped["wrap_info"]
        secret = client(token=info["token"]).sys.unwrap()["data"]
        assert info["wrapped_accessor"] == secret["secret_id_accessor"], (info, secret)
        app = client()
        auth = app.auth.approle.login(role_id=role_id, secret_id=secret["secret_id"])["auth"]
        assert auth["policies"] == ["default", "jenkins"] and auth["metadata"] == {"role_name": "jenkins"}, auth
        assert auth["lease_duration"] == 3600 and app.token == auth["client_token"], auth
        data = app.secrets.kv.v2.read_secret_version("mysql/webapp")["data"]["data"]
        assert data["password"] == "passw0rd", data
        error = raises(exc.InvalidRequest, client().auth.approle.login, role_id=role_id, secret_id=secret["secret_id"])
        assert message(error) == "invalid role or secret ID", message(error)
        error = raises(exc.InvalidRequest, client().auth.approle.login, role_id="")
        assert "missing role_id" in message(error), message(error)

    def can_login(user, password):
        """Whether PostgreSQL lets `user` in with `password` (psql, a client nobody here wrote)."""
        dsn = f"host={os.environ['COFFER_PG_HOST']} port={os.environ['COFFER_PG_PORT']} dbname={os.environ['COFFER_PG_DATABASE']} user={user} sslmode=disable"
        result = subprocess.run(
            [os.environ["COFFER_PSQL"], dsn, "-tAc", "select current_user"],
            env={"PGPASSWORD": password, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=20,
        )
        return result.returncode == 0 and result.stdout.strip() == user

    @step("database: configure, role, creds, renew, revoke, static role, rotate-root (logins checked with psql)")
    def _():
        admin, admin_password = os.environ["COFFER_PG_ADMIN"], os.environ["COFFER_PG_ADMIN_PASSWORD"]
        static_user = os.environ["COFFER_PG_STATIC_USER"]
        db = root.secrets.database
        root.sys.enable_secrets_engine("database")
        url = f"postgresql://{{{{username}}}}:{{{{password}}}}@{os.environ['COFFER_PG_HOST']}:{os.environ['COFFER_PG_PORT']}/{os.environ['COFFER_PG_DATABASE']}?sslmode=disable"
        db.configure("myapp-pg", "postgresql-database-plugin", allowed_roles=["myapp-role", "myapp-static"], connection_url=url, username=admin, password=admin_password)
        details = db.read_connection("myapp-pg")["data"]["connection_details"]
        assert details["connection_url"] == url and details["username"] == admin and "password" not in details, details
        assert db.list_connections()["data"]["keys"] == ["myapp-pg"]
        creation = 'CREATE USER "{{name}}" WITH PASSWORD \'{{password}}\' VALID UNTIL \'{{expiration}}\'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";'
        db.create_role("myapp-role", "myapp-pg", [creation], default_ttl="1h", max_ttl="24h")
        assert db.read_role("myapp-role")["data"]["default_ttl"] == 3600
        creds = db.generate_credentials("myapp-role")
        assert creds["lease_duration"] == 3600 and creds["renewable"] is True, creds
        user, password = creds["data"]["username"], creds["data"]["password"]
        assert user.startswith("v-root-myapp-ro-") and can_login(user, password), creds
        renewed = root.sys.renew_lease(creds["lease_id"], increment=600)
        assert renewed["lease_id"] == creds["lease_id"] and renewed["lease_duration"] == 600, renewed
        root.sys.revoke_lease(creds["lease_id"])
        assert not can_login(user, password)
        error = raises(exc.InvalidRequest, db.generate_credentials, "nope")
        assert message(error) == "unknown role: nope", message(error)

        db.create_static_role("myapp-static", "myapp-pg", static_user, [], rotation_period=3600)
        static = db.get_static_credentials("myapp-static")["data"]
        assert static["username"] == static_user and 0 < static["ttl"] <= 3600, static
        assert can_login(static_user, static["password"]) and not can_login(static_user, "static-before")

        db.rotate_root_credentials("myapp-pg")
        assert not can_login(admin, admin_password)
        again = db.generate_credentials("myapp-role")["data"]
        assert can_login(again["username"], again["password"]), again

    @step("health: unsealed server answers 200")
    def _():
        health = root.sys.read_health_status(method="GET")
        assert isinstance(health, dict), health
        assert health["initialized"] is True and health["sealed"] is False and health["standby"] is False, health
        head = root.sys.read_health_status()
        assert head.status_code == 200 and head.text == "", (head.status_code, head.text)

    @step("errors: unknown route is InvalidPath, no token is Forbidden")
    def _():
        # Client.read() turns InvalidPath into None, so this goes through the adapter hvac builds on.
        assert root.read("nowhere/at/all") is None
        error = raises(exc.InvalidPath, root._adapter.get, "/v1/nowhere/at/all")
        assert "no handler for route" in message(error), message(error)
        error = raises(exc.Forbidden, anon.secrets.kv.v2.read_secret_version, "app/db")
        assert "permission denied" in message(error), message(error)

elif MODE == "tls":
    root_token = os.environ.get("COFFER_ROOT_TOKEN")
    anon = client()

    @step("tls: an untrusted certificate is refused")
    def _():
        untrusted = hvac.Client(url=ADDR, verify=True)
        try:
            untrusted.sys.read_seal_status()
        except requests.exceptions.SSLError:
            return
        raise AssertionError("the server's certificate was accepted without its CA")

    if root_token is None:

        @step("tls: initialise, unseal, enable KV v2")
        def _():
            result = anon.sys.initialize(3, 2)
            state["root"] = result["root_token"]
            status = unseal_with(anon, result["keys"][:2])
            assert status["sealed"] is False, status
            client(token=state["root"]).sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})

        root_token = state.get("root")

    root = client(token=root_token)

    @step("tls: health")
    def _():
        health = root.sys.read_health_status(method="GET")
        assert isinstance(health, dict) and health["sealed"] is False, health

    @step("tls: kv put/get")
    def _():
        assert root.secrets.kv.v2.create_or_update_secret("tls/one", {"v": "1"})["data"]["version"] == 1
        assert root.secrets.kv.v2.read_secret_version("tls/one")["data"]["data"] == {"v": "1"}

    @step("tls: list")
    def _():
        root.secrets.kv.v2.create_or_update_secret("tls/two", {"v": "2"})
        assert root.secrets.kv.v2.list_secrets("tls")["data"]["keys"] == ["one", "two"]

else:
    print(f"unknown mode {MODE}", file=sys.stderr)
    sys.exit(2)

sys.exit(1 if failures else 0)
