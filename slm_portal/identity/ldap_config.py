"""django-auth-ldap's settings that are objects of python-ldap (searches, a group type, connection options), built from
the plain values settings.py reads from the environment.

settings.py calls ``directory_objects`` only when AUTH_LDAP_SERVER_URI is set, so a portal without directory sign-in
never imports python-ldap (which needs C headers to build; docs/decisions/0008-ldap-sign-in.md).
"""

from django.core.exceptions import ImproperlyConfigured

# The authentication backend of directory sign-in (slm_portal/identity/directory.py, which imports python-ldap).
DIRECTORY_BACKEND = "slm_portal.identity.directory.DirectoryBackend"

# AUTH_LDAP_GROUP_TYPE: the kinds of directory group the portal reads, and the object class its groups carry (the
# default group search filter). The nested kinds follow groups inside groups (Active Directory's usual set-up).
GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixGroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}

# Django's user fields from the directory entry's attributes: the same names in Active Directory and OpenLDAP.
USER_ATTR_MAP = {"first_name": "givenName", "last_name": "sn", "email": "mail"}


def directory_objects(
    *,
    user_dn_template,
    user_search_base,
    user_search_filter,
    group_search_base,
    group_search_filter,
    group_type,
    timeout,
):
    """{setting name: value} for AUTH_LDAP_USER_SEARCH, AUTH_LDAP_GROUP_SEARCH, AUTH_LDAP_GROUP_TYPE and
    AUTH_LDAP_CONNECTION_OPTIONS. Raises ImproperlyConfigured, naming the variable, when the set-up cannot work."""
    try:
        import ldap
        from django_auth_ldap import config
    except ImportError:
        raise ImproperlyConfigured(
            "AUTH_LDAP_SERVER_URI is set but python-ldap or django-auth-ldap is not installed: "
            "pip install -r requirements/ldap.txt (python-ldap builds against libldap2-dev and libsasl2-dev)."
        ) from None
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(f"AUTH_LDAP_GROUP_TYPE={group_type!r} is not one of {', '.join(GROUP_TYPES)}.")
    if not user_dn_template and not user_search_base:
        raise ImproperlyConfigured(
            "AUTH_LDAP_SERVER_URI is set: set AUTH_LDAP_USER_SEARCH_BASE (with AUTH_LDAP_USER_SEARCH_FILTER) "
            "or AUTH_LDAP_USER_DN_TEMPLATE, so that the portal finds a person's entry."
        )
    if user_search_base and "%(user)s" not in user_search_filter:
        raise ImproperlyConfigured(
            f"AUTH_LDAP_USER_SEARCH_FILTER={user_search_filter!r} must contain %(user)s (the name typed to sign in)."
        )
    if user_dn_template and "%(user)s" not in user_dn_template:
        raise ImproperlyConfigured(f"AUTH_LDAP_USER_DN_TEMPLATE={user_dn_template!r} must contain %(user)s.")
    class_name, default_filter = GROUP_TYPES[group_type]
    # Active Directory answers searches of the domain's root with referrals that libldap would follow anonymously.
    options = {ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout}
    if "ctiveDirectory" in group_type:
        options[ldap.OPT_REFERRALS] = 0
    return {
        "AUTH_LDAP_USER_SEARCH": (
            None if user_dn_template else config.LDAPSearch(user_search_base, ldap.SCOPE_SUBTREE, user_search_filter)
        ),
        "AUTH_LDAP_GROUP_SEARCH": (
            config.LDAPSearch(group_search_base, ldap.SCOPE_SUBTREE, group_search_filter or default_filter)
            if group_search_base
            else None
        ),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, class_name)(),
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
    }
