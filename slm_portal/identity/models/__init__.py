"""The identity app's models, one module per feature; each is imported here so that Django finds it."""

from slm_portal.identity.models.directory import DirectoryAccount
from slm_portal.identity.models.oidc import SingleSignOnAccount
from slm_portal.identity.models.rules import RoleRule
from slm_portal.identity.models.signins import SignInEvent
from slm_portal.identity.models.two_factor import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice

__all__ = [
    "AuthenticatorDevice",
    "DirectoryAccount",
    "RecoveryCode",
    "RecoveryCodeDevice",
    "RoleRule",
    "SignInEvent",
    "SingleSignOnAccount",
]
