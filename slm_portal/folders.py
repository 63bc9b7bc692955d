"""The portal's local folders: made when Django starts, not when the settings are imported.

Importing the settings must leave the disk alone (a tool that only reads them, a build step, a test), but every
process that starts Django needs them: the default SQLite database lives in SLM_VAR_DIR, and Celery's file-system
broker reads and writes its queue folders from the web server (which queues tasks), the worker and beat alike,
without creating them. ``SlmPortalConfig.ready()`` calls this once per process, before any of them is used.
"""

from pathlib import Path

# The file-system transport's options that name a folder (kombu.transport.filesystem).
BROKER_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def make_local_folders(settings):
    """Create SLM_VAR_DIR and, with the file-system broker, its folders; returns the folders made or found."""
    folders = [Path(settings.SLM_VAR_DIR)]
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        folders += [Path(options[name]) for name in BROKER_FOLDER_OPTIONS if name in options]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders
