"""The Korean UI: a complete, compiled catalogue that covers every translatable string, and pages that use it.

When a test here fails after a template or a model changed, regenerate and translate the catalogue:

    DEBUG=1 .venv/bin/python manage.py makemessages -l ko --ignore=.venv --ignore=var --ignore=staticfiles \\
        --ignore=tests --no-obsolete
    (translate the new entries in locale/ko/LC_MESSAGES/django.po, following its glossary)
    .venv/bin/python -m slm_portal.i18n compile
"""

import ast
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tokenize
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

from slm_portal import i18n

BASE_DIR = Path(settings.BASE_DIR)
KO_PO = i18n.LOCALE_DIR / "ko" / "LC_MESSAGES" / "django.po"
KO_MO = KO_PO.with_suffix(".mo")
# The folders makemessages is told to leave out, plus what is never the portal's own source.
SKIPPED_DIRS = {".venv", "var", "staticfiles", "tests", "node_modules", ".git", "migrations"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# msgstrs that are rightly the same as the English: identifiers, not words.
KEPT_IN_ENGLISH = {"URL"}


def _po():
    return polib.pofile(str(KO_PO))


def _translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _table(catalogue):
    """(context, msgid) -> (msgid_plural, translation or sorted plural translations) for every live entry."""
    table = {}
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        translation = tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        table[(entry.msgctxt, entry.msgid)] = (entry.msgid_plural, translation)
    return table


def _source_files(suffix):
    for folder, subfolders, files in os.walk(BASE_DIR):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_DIRS and not name.startswith("."))
        yield from (Path(folder) / name for name in sorted(files) if name.endswith(suffix))


# Argument positions of (context, singular, plural) for each translation function.
FUNCTION_ARGS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _message(function, arguments):
    context, singular, plural = FUNCTION_ARGS[function]
    if len(arguments) <= max(i for i in (context, singular, plural) if i is not None):
        return None
    if any(not isinstance(arguments[i], str) for i in (context, singular, plural) if i is not None):
        return None
    return (
        None if context is None else arguments[context],
        arguments[singular],
        None if plural is None else arguments[plural],
    )


def _python_messages(path):
    """(context, msgid, msgid_plural) of each translation call with literal strings, whatever the import alias."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions, modules = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in FUNCTION_ARGS:
                    functions[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            modules.update(alias.asname or alias.name for alias in node.names if alias.name == "translation")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = None
        if isinstance(node.func, ast.Name):
            function = functions.get(node.func.id)
        elif (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in modules
            and node.func.attr in FUNCTION_ARGS
        ):
            function = node.func.attr
        if function is None:
            continue
        arguments = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        message = _message(function, arguments)
        if message:
            yield message


TEMPLATE_CALL = re.compile(r"\b(gettext|gettext_noop|ngettext|pgettext|npgettext|_)\(")


def _template_messages(path):
    """The strings makemessages extracts from a template, read from Django's own templatize() output."""
    for line in templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines():
        for match in TEMPLATE_CALL.finditer(line):
            function = "gettext" if match.group(1) == "_" else match.group(1)
            arguments, depth = [], 0
            for token in tokenize.generate_tokens(io.StringIO(line[match.end() - 1 :]).readline):
                if token.type == tokenize.OP and token.string == "(":
                    depth += 1
                elif token.type == tokenize.OP and token.string == ")":
                    depth -= 1
                    if depth == 0:
                        break
                elif depth == 1 and token.type == tokenize.STRING:
                    arguments.append(ast.literal_eval(token.string))
                elif depth == 1 and token.type in (tokenize.NAME, tokenize.NUMBER):
                    arguments.append(None)
            message = _message(function, arguments)
            if message:
                yield message


def _source_messages():
    found = {}
    for path in _source_files(".py"):
        for message in _python_messages(path):
            found.setdefault(message, path.relative_to(BASE_DIR))
    for path in _source_files(".html"):
        if "templates" in path.relative_to(BASE_DIR).parts:
            for message in _template_messages(path):
                found.setdefault(message, path.relative_to(BASE_DIR))
    return found


# The catalogue itself


def test_the_korean_catalogue_is_complete():
    assert KO_PO in i18n.catalogues()
    assert i18n.problems(KO_PO) == []
    catalogue = _po()
    assert catalogue.metadata["Language"] == "ko"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not catalogue.metadata_is_fuzzy
    assert len(_table(catalogue)) > 400


def test_every_entry_is_translated_into_korean():
    """Not a copy of the English: every translation has Hangul in it, identifiers apart."""
    not_korean = [
        entry.msgid
        for entry in _po()
        if not entry.obsolete
        and entry.msgid not in KEPT_IN_ENGLISH
        and not all(HANGUL.search(text) for text in _translations(entry))
    ]
    assert not_korean == []


def test_the_committed_mo_matches_the_po():
    """A .po edited without `make messages` (python -m slm_portal.i18n compile) leaves a stale .mo: the UI lies."""
    assert KO_MO.exists(), "run: python -m slm_portal.i18n compile"
    compiled, source = polib.mofile(str(KO_MO)), _po()
    assert _table(compiled) == _table(source)
    assert compiled.metadata.get("Plural-Forms") == source.metadata.get("Plural-Forms")


def test_every_translatable_string_of_the_sources_is_in_the_catalogue():
    """A new template or message without makemessages (or behind an alias xgettext cannot see) fails here."""
    catalogue = _table(_po())
    known = {key: plural or None for key, (plural, _translation) in catalogue.items()}
    missing = [
        f"{path}: {msgid!r}" + (f" (context {context!r})" if context else "")
        for (context, msgid, plural), path in sorted(_source_messages().items(), key=lambda item: str(item[1]))
        if (context, msgid) not in known or known[(context, msgid)] != plural
    ]
    assert missing == [], "run makemessages and translate:\n" + "\n".join(missing)


def test_the_extraction_sees_templates_and_python():
    messages = {msgid for _context, msgid, _plural in _source_messages()}
    assert {"Agreements", "Log in", "%(counter)s target", "open-ended"} <= messages  # templates, tags and filters
    assert {"Service level agreement (SLA)", "New HTTP probe", "%(name)s saved."} <= messages  # Python, any alias


PYTHON_DIRECTIVE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])?"
)


def _python_format(text):
    """The directives of a %-format string, sorted; None when the string is not a valid one."""
    directives = []
    for match in PYTHON_DIRECTIVE.finditer(text):
        if match["conversion"] is None:
            return None
        if match["conversion"] != "%":
            directives.append((match["name"] or "", match["conversion"]))
    return sorted(directives)


def test_python_format_entries_keep_their_directives():
    """What msgfmt --check (and so compilemessages) demands of "python-format" entries, without GNU gettext.

    A bare "%" before a letter ("% of") reads as a directive: mark such strings with `# xgettext:no-python-format`.
    """
    wrong = [
        (entry.msgid, text)
        for entry in _po()
        if "python-format" in entry.flags
        for text in _translations(entry)
        if _python_format(text) is None or _python_format(text) != _python_format(entry.msgid)
    ]
    assert wrong == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_gnu_msgfmt_accepts_the_catalogue(tmp_path):
    """`manage.py compilemessages` checks formats more strictly than polib: keep it usable too."""
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(KO_PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# The pages


def set_language(client, code, next_url="/"):
    response = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == code
    return response


def page(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_login_page_switches_to_korean_and_back(client):
    english = page(client, reverse("login"))
    assert '<html lang="en">' in english
    assert "Log in" in english
    assert "Service level management: agreements, measured compliance and improvement in one place." in english

    set_language(client, "ko", reverse("login"))
    korean = page(client, reverse("login"))
    assert '<html lang="ko">' in korean
    assert "<title>로그인 · " in korean
    assert "서비스 수준 관리: 계약, 측정된 준수율, 개선 활동을 한곳에서 관리합니다." in korean
    assert "비밀번호" in korean  # Django's own catalogue, for the login form's labels
    assert "Log in" not in korean

    set_language(client, "en", reverse("login"))
    assert '<html lang="en">' in page(client, reverse("login"))


def test_the_agreement_pages_switch_to_korean_and_back(client, manager, agreement_a):
    client.force_login(manager)
    set_language(client, "ko")

    listing = page(client, reverse("agreements:agreement_list"))
    assert '<html lang="ko">' in listing
    assert ">계약</a>" in listing  # the navigation
    assert "<title>계약 · " in listing
    assert "새 계약" in listing
    assert "업무 캘린더" in listing
    assert "측정 지표 (SLI)" in listing
    for header in ("코드", "제목", "유형", "고객", "상태", "유효 기간", "다음 검토일"):
        assert f'<th scope="col">{header}</th>' in listing
    assert "서비스 수준 협약 (SLA)" in listing  # the agreement's kind, a model choice
    assert ">활성</span>" in listing  # its status badge

    detail = page(client, agreement_a.get_absolute_url())
    assert '<html lang="ko">' in detail
    assert "서비스 수준 목표" in detail
    assert "유효 시작일" in detail
    assert "발생 건수 (정상 이벤트 / 전체 이벤트)" in detail
    assert "월간" in detail
    assert "24시간 상시" in detail
    assert "남은 오류 예산이 25 % 미만이면 위험" in detail
    assert "변경 이력" in detail
    assert "Service level targets" not in detail

    set_language(client, "en")
    listing = page(client, reverse("agreements:agreement_list"))
    assert '<html lang="en">' in listing
    assert ">Agreements</a>" in listing
    assert "New agreement" in listing
    detail = page(client, agreement_a.get_absolute_url())
    assert "Service level targets" in detail
    assert "at risk under 25 % of error budget left" in detail
    assert "서비스 수준 목표" not in detail


def test_accept_language_gives_korean_without_a_cookie(client, alice, agreement_a):
    assert '<html lang="ko">' in page(client, reverse("login"), accept_language="ko-KR,ko;q=0.9,en;q=0.8")
    client.force_login(alice)
    listing = page(client, reverse("agreements:agreement_list"), accept_language="ko")
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert '<html lang="ko">' in listing
    assert ">계약</a>" in listing
    assert "Acme online banking" in listing  # data stays as entered
    # Without the header, the default language.
    assert '<html lang="en">' in page(client, reverse("agreements:agreement_list"))


def test_the_cookie_wins_over_accept_language(client, alice, agreement_a):
    client.force_login(alice)
    set_language(client, "en")
    assert '<html lang="en">' in page(client, reverse("agreements:agreement_list"), accept_language="ko")


def test_dates_follow_the_language_in_one_format_each(client, manager, agreement_a):
    """agreement_a runs from 2026-01-01 to 2027-01-01: a day reads "1 Jan 2026" in English and "2026년 1월 1일" in
    Korean, in lists and pages alike (slm_portal/formats)."""
    agreement_a.valid_to = dt.date(2027, 1, 1)
    agreement_a.save()
    client.force_login(manager)
    detail = page(client, agreement_a.get_absolute_url())
    assert "1 Jan 2026" in detail
    assert "1 Jan 2027" in detail
    assert "1 Jan 2026 – 1 Jan 2027" in page(client, reverse("agreements:agreement_list"))

    set_language(client, "ko")
    detail = page(client, agreement_a.get_absolute_url())
    assert '<dd class="col-7">2026년 1월 1일</dd>' in detail
    assert '<dd class="col-7">2027년 1월 1일</dd>' in detail
    assert "1 Jan 2026" not in detail
    assert "2026년 1월 1일 – 2027년 1월 1일" in page(client, reverse("agreements:agreement_list"))


def test_a_moment_reads_one_way_per_language_on_the_24_hour_clock_with_its_zone():
    from django.utils import formats, timezone, translation

    seoul = timezone.localtime(dt.datetime(2026, 12, 4, 8, 19, tzinfo=dt.UTC), ZoneInfo("Asia/Seoul"))  # 17:19 there
    with translation.override("en"):
        shown = {formats.date_format(seoul, name) for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")}
        assert shown == {"4 Dec 2026, 17:19 KST"}
    with translation.override("ko"):
        assert formats.date_format(seoul, "SHORT_DATETIME_FORMAT") == "2026년 12월 4일 17:19 KST"
