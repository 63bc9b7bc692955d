"""A real OpenLDAP server (Debian's slapd) on a free loopback port, for the directory sign-in tests.

Each server has its own temporary folder: a slapd.conf, an MDB database loaded with slapadd from the LDIF below
before slapd starts, and the pid file. The directory is a small organisation:

    dc=example,dc=com
      ou=people   minsu (a manager), jiwoo (Acme's person), yuna (staff with no portal group)
      ou=groups   portal-managers (holds the group portal-leads, which holds minsu), customer-acme (jiwoo),
                  staff (all three)

Every person's password is PASSWORD. The tests change the directory with ``modify`` as the directory's root.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.services import unavailable
from tests.smtp import free_port

SLAPD = os.environ.get("SLAPD_PATH") or shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PASSWORD = "directory-root-secret"
PASSWORD = "directory-Pa55"


def person(uid, given, surname, mail):
    return f"""dn: uid={uid},ou=people,{BASE}
objectClass: inetOrgPerson
uid: {uid}
cn: {given} {surname}
givenName: {given}
sn: {surname}
mail: {mail}
userPassword: {PASSWORD}
"""


def group(name, *members):
    lines = [f"dn: cn={name},ou=groups,{BASE}", "objectClass: groupOfNames", f"cn: {name}"]
    lines += [f"member: {member}" for member in members]
    return "\n".join(lines) + "\n"


def uid_dn(uid):
    return f"uid={uid},ou=people,{BASE}"


def group_dn(name):
    return f"cn={name},ou=groups,{BASE}"


DIRECTORY = "\n".join(
    [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example Services\n",
        f"dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{BASE}\nobjectClass: organizationalUnit\nou: groups\n",
        person("minsu", "Minsu", "Park", "minsu.park@example.com"),
        person("jiwoo", "Jiwoo", "Han", "jiwoo.han@acme.example"),
        person("yuna", "Yuna", "Seo", "yuna.seo@example.com"),
        group("portal-leads", uid_dn("minsu")),
        group("portal-managers", group_dn("portal-leads")),
        group("customer-acme", uid_dn("jiwoo")),
        group("staff", uid_dn("minsu"), uid_dn("jiwoo"), uid_dn("yuna")),
    ]
)

SLAPD_CONF = """include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
include {schema}/nis.schema
modulepath {modules}
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""


class DirectoryServer:
    def __init__(self, folder, port):
        self.folder = folder
        self.port = port
        self.uri = f"ldap://127.0.0.1:{port}"
        self.process = None

    def modify(self, dn, changes):
        """python-ldap's ``modify_s`` as the directory's root: ``changes`` = [(ldap.MOD_*, attribute, [values])]."""
        import ldap

        connection = ldap.initialize(self.uri)
        try:
            connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
            connection.modify_s(
                dn, [(op, attribute, [v.encode() for v in values]) for op, attribute, values in changes]
            )
        finally:
            connection.unbind_s()

    def add_group(self, name, *member_dns):
        """A new groupOfNames under ou=groups holding ``member_dns``."""
        import ldap.modlist

        entry = {"objectClass": [b"groupOfNames"], "cn": [name.encode()], "member": [m.encode() for m in member_dns]}
        connection = ldap.initialize(self.uri)
        try:
            connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
            connection.add_s(group_dn(name), ldap.modlist.addModlist(entry))
        finally:
            connection.unbind_s()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _answers(port):
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def directory_server(folder):
    """slapd on 127.0.0.1 for the block, serving DIRECTORY; yields a DirectoryServer. Skips (fails under
    SLM_REQUIRE_SERVICES=1) when slapd or its schema is not installed."""
    if not (os.path.exists(SLAPD) and os.path.exists(SLAPADD) and (SCHEMA_DIR / "core.schema").exists()):
        unavailable("needs OpenLDAP's slapd (Debian: apt-get install slapd ldap-utils)")
    folder = Path(folder)
    (folder / "data").mkdir(parents=True)
    conf = folder / "slapd.conf"
    conf.write_text(
        SLAPD_CONF.format(
            schema=SCHEMA_DIR,
            modules=MODULE_DIR,
            folder=folder,
            base=BASE,
            root_dn=ROOT_DN,
            root_password=ROOT_PASSWORD,
        )
    )
    (folder / "directory.ldif").write_text(DIRECTORY)
    loaded = subprocess.run(
        [SLAPADD, "-f", str(conf), "-l", str(folder / "directory.ldif")], capture_output=True, text=True, check=False
    )
    assert loaded.returncode == 0, loaded.stderr
    server = DirectoryServer(folder, free_port())
    log = open(folder / "slapd.log", "w")  # noqa: SIM115 - closed after the server stops
    # -d 0: stay in the foreground (so the test owns the process) and log nothing but start-up errors.
    server.process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", server.uri + "/", "-d", "0"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while not _answers(server.port):
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"slapd did not start: {(folder / 'slapd.log').read_text()}")
            time.sleep(0.05)
        yield server
    finally:
        server.stop()
        log.close()


def require_python_ldap():
    """Skips (fails under SLM_REQUIRE_SERVICES=1) when python-ldap is not installed: it builds only where the
    OpenLDAP and SASL headers are (docs/decisions/0008-ldap-sign-in.md)."""
    try:
        import django_auth_ldap  # noqa: F401
        import ldap  # noqa: F401
    except ImportError:
        unavailable(
            "needs python-ldap and django-auth-ldap (pip install -r requirements/ldap.txt; python-ldap builds "
            "with libldap2-dev and libsasl2-dev installed)"
        )


def configure_directory(settings, uri, *, dn_template=False, group_type="nestedGroupOfNames", timeout=5):
    """Directory sign-in on ``uri`` in Django's settings, as settings.py makes it from AUTH_LDAP_* variables."""
    from slm_portal.identity.ldap_config import DIRECTORY_BACKEND, USER_ATTR_MAP, directory_objects

    objects = directory_objects(
        user_dn_template=f"uid=%(user)s,ou=people,{BASE}" if dn_template else None,
        user_search_base=None if dn_template else f"ou=people,{BASE}",
        user_search_filter="(uid=%(user)s)",
        group_search_base=f"ou=groups,{BASE}",
        group_search_filter=None,
        group_type=group_type,
        timeout=timeout,
    )
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, DIRECTORY_BACKEND]
    settings.AUTH_LDAP_SERVER_URI = uri
    settings.AUTH_LDAP_BIND_DN = ROOT_DN
    settings.AUTH_LDAP_BIND_PASSWORD = ROOT_PASSWORD
    settings.AUTH_LDAP_START_TLS = False
    settings.AUTH_LDAP_USER_DN_TEMPLATE = f"uid=%(user)s,ou=people,{BASE}" if dn_template else None
    settings.AUTH_LDAP_USER_ATTR_MAP = USER_ATTR_MAP
    for name, value in objects.items():
        setattr(settings, name, value)


def directory_rules():
    """The role rules of the tests: the group portal-managers makes service managers, a group customer-<code> makes
    members of that customer."""
    from slm_portal.identity.choices import ClaimMatch, GrantedRole, RuleSource
    from slm_portal.identity.models import RoleRule

    return [
        RoleRule.objects.create(
            source=RuleSource.LDAP,
            claim="groups",
            match=ClaimMatch.CONTAINS,
            value="portal-managers",
            role=GrantedRole.SERVICE_MANAGER,
        ),
        RoleRule.objects.create(
            source=RuleSource.LDAP,
            claim="groups",
            match=ClaimMatch.CUSTOMER_PREFIX,
            value="customer-",
            role=GrantedRole.CUSTOMER_MEMBER,
        ),
    ]
