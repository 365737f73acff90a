"""Pickers that find units and members by pinyin, the inbox on a phone, and widgets in the page's language
(issue 13.3–5) — the markup and assets the browser widgets need; tests/browser/test_clerk_widgets.py uses them."""
from __future__ import annotations

import re
from pathlib import Path

from flask import render_template_string

from web.forms import build_fields
from web.pinyin import search_key

from .helpers import ACCEPT, REPLY_A, do, task_id, text, to_accept
from .test_forms_groups import SCHEMA as GROUP_SCHEMA, options_for as group_options

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"


def test_pinyin_initials_and_syllables_of_titles():
    assert search_key("县卫生健康委员会") == "xwsjkwyh xianweishengjiankangweiyuanhui"
    assert search_key("刘芳（委员）（县财政局）").startswith("lfwyxczj ")
    assert search_key("ABC") == ""


def test_every_reference_field_is_a_searchable_picker_with_pinyin_even_in_a_repeated_group(client, auth, db):
    auth.as_("member1")
    page = client.get("/proposals/new").get_data(as_text=True)
    cosigners = re.search(r'<select id="f-cosigners" name="cosigners" data-picker[^>]*multiple[^>]*>(.*?)</select>', page, re.S)
    assert cosigners and 'data-pinyin="lfwy' in cosigners.group(1)  # 刘芳（委员）…
    assert "按住 Ctrl" in page  # without script: still a plain multi-select

    with client.application.test_request_context():
        html = render_template_string("{% import '_form.html' as form with context %}{{ form.fields(fields) }}",
                                      fields=build_fields(GROUP_SCHEMA, {}, {}, group_options))
    assert re.search(r'<select id="f-participants\.0\.unit" name="participants\.0\.unit" data-picker', html)
    template = html[html.index('<template class="row-template">'):]
    assert re.search(r'name="participants\.__i__\.unit" data-picker', template)  # rows added later too
    assert '<option value="czj" data-pinyin="xczj xiancaizhengju">县财政局</option>' in html


def test_the_assign_form_offers_units_by_pinyin(client, auth, db):
    from .helpers import submit, REVIEW

    instance = submit(auth, client)
    do(auth, client, db, "tiwei", instance, "review", REVIEW)
    auth.as_("office1")
    page = client.get(f"/tasks/{task_id(db, 'office1', instance, 'assign')}").get_data(as_text=True)
    assert re.search(r'<select id="f-co_units" name="co_units" data-picker[^>]* multiple', page)
    assert '<option value="wjw" data-pinyin="xwsjkwyh xianweishengjiankangweiyuanhui">县卫生健康委员会</option>' in page
    assert 'data-no-results="没有匹配的选项"' in page


def test_dates_and_files_use_the_pages_own_widgets(client, auth, db):
    instance = to_accept(auth, client, db)
    do(auth, client, db, "czj_clerk", instance, "accept", ACCEPT)
    auth.as_("czj_clerk")
    page = client.get(f"/tasks/{task_id(db, 'czj_clerk', instance, 'handle')}").get_data(as_text=True)
    assert 'type="date"' not in page
    assert re.search(r'id="f-contact_date" name="contact_date" value=""\s+type="text" data-datepicker', page)
    assert 'src="/static/vendor/widgets/widgets.js" defer' in page and "vendor/widgets/widgets.css" in page
    bad = client.post(f"/tasks/{task_id(db, 'czj_clerk', instance, 'handle')}",
                      data={**REPLY_A, "contact_date": "3/20/2026"})
    assert bad.status_code == 422 and "格式不正确" in text(bad)  # typed by hand: still checked on the server

    case = client.get(f"/instances/{instance}").get_data(as_text=True)
    pick = re.search(r'<span class="file-pick">\s*<input type="file" id="upload-file" name="file"[^>]*>\s*'
                     r'<span class="file-button" aria-hidden="true">选择文件</span>\s*'
                     r'<span class="file-name">未选择文件</span>', case)
    assert pick, case[case.index('id="attachments"'):][:1500]
    english = client.get(f"/instances/{instance}?lang=en").get_data(as_text=True)
    assert "Choose file" in english and "No file chosen" in english


def test_the_widget_bundle_is_built_from_pinned_npm_packages(client):
    import json

    package = json.loads((STATIC.parents[1] / "package.json").read_text())
    assert package["dependencies"]["tom-select"] == "2.6.2" and package["dependencies"]["air-datepicker"] == "3.6.0"
    bundle = client.get("/static/vendor/widgets/widgets.js")
    assert bundle.status_code == 200 and b"xieshangWidgets" in bundle.data
    bundle.close()
    source = (STATIC / "widgets" / "src" / "widgets.js").read_text()
    assert "air-datepicker/locale/zh" in source and "air-datepicker/locale/en" in source


def test_the_inbox_folds_its_filters_on_a_phone_unless_one_is_in_use(client, auth):
    auth.as_("office1")
    page = client.get("/inbox").get_data(as_text=True)
    assert '<details class="filter-panel" open>' in page and "筛选与排序" in page
    assert 'src="/static/js/inbox.js"' in page
    assert '<details class="filter-panel" open data-active>' in client.get("/inbox?q=老旧").get_data(as_text=True)
    script = (STATIC / "js" / "inbox.js").read_text()
    assert 'hasAttribute("data-active")' in script and "max-width: 720px" in script
    css = (STATIC / "app.css").read_text()
    narrow = css[css.index("/* 我的待办 on a narrow screen"):]
    assert ".worklist .saved-views { order: 2; }" in narrow and ".mainnav { flex-wrap: nowrap;" in narrow
    assert ".who a, .who button { white-space: nowrap; }" in css  # 退出 never wraps
