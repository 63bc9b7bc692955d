"""The identity app's models, one module per feature; each is imported here so that Django finds it."""

from slm_portal.identity.models.signins import SignInEvent

__all__ = ["SignInEvent"]
