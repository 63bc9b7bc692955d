"""The Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY): on every kind of response with a fresh
nonce each time; no template that the policy would break (an on*= handler, a <script> without the nonce); and the
hashes of plotly.js's styles still those of the plotly.js the portal serves.
tests/browser/test_content_security_policy.py opens the pages in Chromium and fails on anything the policy blocks."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

from slm_portal.staticfiles import PLOTLY_FILE

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", "var", "staticfiles", "node_modules", ".git"}
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.S)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S | re.I)

pytestmark = pytest.mark.django_db


def policy_of(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


def sha256_source(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/", "alice_client"),  # a page of the portal: alice's dashboard
        ("/accounts/login/", "client"),
        ("/admin/agreements/agreement/", "admin_client"),
        ("/api/docs/", "client"),
        ("/api/docs/?script=", "client"),  # Swagger UI's start-up script, served apart from the page
        ("/health", "client"),
        ("/no-such-page/", "client"),
    ],
)
def test_every_kind_of_response_carries_the_policy_with_a_nonce_of_its_own(request, url, who):
    client = request.getfixturevalue(who)

    first, second = client.get(url), client.get(url)

    assert first.status_code == (404 if url == "/no-such-page/" else 200)
    policy = policy_of(first)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert len(policy["script-src"]) == 2  # 'self' and the nonce: no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert all("unsafe-inline" not in source and "unsafe-eval" not in source for source in sum(policy.values(), []))
    nonces = [NONCE.search(response.headers["Content-Security-Policy"]).group(1) for response in (first, second)]
    assert len(base64.b64decode(nonces[0])) == 16
    assert nonces[0] != nonces[1]


def test_the_policy_allows_styles_by_hash_only():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

    assert directives["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in directives["style-src"][1:])
    assert directives["style-src-attr"][0] == "'unsafe-hashes'"
    assert all(source.startswith("'sha256-") for source in directives["style-src-attr"][1:])


def test_the_style_hashes_match_the_plotly_js_the_portal_serves():
    """When plotly is upgraded and this fails, take the new hashes from plotly.min.js as below (or from Chromium's
    console on the overview page) and put them in settings.py."""
    plotly_js = PLOTLY_FILE.read_text(encoding="utf-8")
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    # maplibre's stylesheet, which plotly.js adds as a <style> element when it loads.
    maplibre = re.search(r'\.id="9f215cf0[0-9a-f]+",e\.textContent=\'([^\'\\]*)\'', plotly_js)
    assert maplibre, "plotly.min.js no longer adds maplibre's stylesheet as it did: look again in Chromium"
    assert sha256_source(maplibre.group(1)) in directives["style-src"]
    # The style="" attribute plotly.js puts on a heatmap's image for sharp cells (CSS_DECLARATIONS, joined as STYLE).
    declarations = re.search(r"CSS_DECLARATIONS=(\[\[.*?\]\]);", plotly_js)
    assert declarations, "plotly.min.js no longer has its image-rendering declarations: look again in Chromium"
    pairs = re.findall(r'\["([^"]+)","([^"]+)"\]', declarations.group(1))
    pixelated = "".join(f"{name}: {value}; " for name, value in pairs)
    assert "image-rendering: pixelated; " in pixelated
    assert sha256_source(pixelated) in directives["style-src-attr"]
    # An empty <style> (filled through the CSSOM) and an empty style="" on a colour bar.
    assert sha256_source("") in directives["style-src"]
    assert sha256_source("") in directives["style-src-attr"]


def test_the_api_docs_page_has_no_inline_script_or_style(client):
    html = client.get("/api/docs/").content.decode()

    assert "<style" not in html
    scripts = SCRIPT_TAG.findall(html)
    assert len(scripts) == 3
    assert all("src=" in attributes for attributes in scripts)
    assert '<script src="/api/docs/?script="></script>' in html
    assert client.get("/api/docs/?script=")["Content-Type"].startswith("application/javascript")


def project_templates():
    for folder in ROOT.iterdir():
        if folder.name in SKIPPED_DIRS or folder.name.startswith(".") or not folder.is_dir():
            continue
        yield from (path for path in folder.rglob("*.html") if "templates" in path.relative_to(ROOT).parts)


def test_no_template_has_an_inline_event_handler_or_a_script_without_the_nonce():
    templates = sorted(project_templates())
    problems = []
    for template in templates:
        source = template.read_text(encoding="utf-8")
        name = template.relative_to(ROOT).as_posix()
        problems += [f"{name}: inline handler {handler}=" for handler in EVENT_HANDLER.findall(source)]
        problems += [
            f"{name}: <script{attributes}> runs inline without the nonce"
            for attributes in SCRIPT_TAG.findall(source)
            if "src=" not in attributes
            and 'type="application/json"' not in attributes
            and 'nonce="{{ request.csp_nonce }}"' not in attributes
        ]

    assert len(templates) > 50
    assert ROOT / "templates" / "base.html" in templates
    # Behaviour goes in static/js/portal.js, bound by a data attribute (data-print, data-confirm, ...).
    assert problems == []


def test_no_template_has_a_style_attribute_the_policy_would_ignore():
    """style-src-attr admits only the hashes of plotly.js's own styles: a style="…" in a template is dropped by the
    browser without a word (a long error once ran off the page that way). Styles go in static/css/portal.css."""
    templates = sorted(project_templates())
    found = [
        template.relative_to(ROOT).as_posix() for template in templates if STYLE_ATTRIBUTE.search(template.read_text())
    ]
    assert len(templates) > 50
    assert found == []
