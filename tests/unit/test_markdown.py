"""The safe Markdown renderer (marketplace/markdown.py): XSS payloads stay inert, ordinary Markdown still works."""
from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from marketplace.markdown import LINK_REL, link_is_safe, render

# Payloads from the usual XSS cheat sheets, in the shapes Markdown lets people type them.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](%256Aavascript:alert(1))",
    "[x](java%0Ascript:alert(1))",
    "[x](java%00script:alert(1))",
    "[x](ｊavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](file:///etc/passwd)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[ref][r]\n\n[r]: data:text/html,hi",
    "<javascript:alert(1)>",
    "<data:text/html,hi>",
    "<vbscript:msgbox(1)>",
    "[[x](javascript:alert(1))](https://ok.example)",
    "[x](https://ok.example \"t\" onmouseover=\"alert(1)\")",
    "[x](https://ok.example \"\\\" onmouseover=alert(1) x=\\\"\")",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.png)",
    "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<div onclick=alert(1)>*x*</div>",
    "<!-- <script>alert(1)</script> -->",
    "[x](\\\\evil.example)",
    "[x](javascript&colon;alert(1))",
]


def _tags_and_attributes(html: str) -> list[str]:
    return re.findall(r"<\s*([a-zA-Z][^\s>/]*)([^>]*)>", html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_renders_inert(payload):
    html = str(render(payload))
    allowed_tags = {"p", "a", "code", "pre", "em", "strong", "s", "br", "ul", "ol", "li", "blockquote",
                    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
    for tag, attributes in _tags_and_attributes(html):
        assert tag.lower() in allowed_tags, (payload, html)
        for name, _value in re.findall(r'([a-zA-Z-]+)="([^"]*)"', attributes):
            assert name in {"href", "rel", "title", "class", "start", "style"}, (payload, html)
            assert not name.lower().startswith("on")
        for href in re.findall(r'href="([^"]*)"', attributes):
            assert href.startswith(("https://", "http://", "mailto:", "/")), (payload, html)
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered
    assert "<iframe" not in lowered and "<style" not in lowered and "<div" not in lowered
    assert 'href="javascript' not in lowered and 'href="data' not in lowered and 'href="vbscript' not in lowered


def test_raw_html_is_shown_as_text_not_dropped():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render("<script>alert(1)</script>")


def test_refused_link_keeps_its_text_visible():
    html = str(render("see [the rules](javascript:alert(1))"))
    assert "<a" not in html and "the rules" in html


def test_links_get_nofollow_noopener_and_keep_allowed_schemes():
    html = str(render("[site](https://example.com/a?b=1) [mail](mailto:team@example.com) [page](/forum/3#r5) "
                      "<https://auto.example> <someone@example.com>"))
    assert html.count(f'rel="{LINK_REL}"') == 5
    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="mailto:team@example.com"' in html
    assert 'href="/forum/3#r5"' in html
    assert 'href="https://auto.example"' in html
    assert 'href="mailto:someone@example.com"' in html
    assert "nofollow" in LINK_REL and "noopener" in LINK_REL


def test_images_are_off_but_their_target_is_an_ordinary_link():
    html = str(render("![chart](https://example.com/chart.png)"))
    assert "<img" not in html
    assert '<a href="https://example.com/chart.png"' in html


def test_ordinary_markdown_renders():
    html = str(render("# 공지\n\n**굵게** _기울임_ ~~취소~~\n\n- 하나\n- 둘\n\n> 인용\n\n```\ncode <b>\n```\n\n"
                      "| a | b |\n|---|---|\n| 1 | 2 |"))
    for piece in ("<h1>공지</h1>", "<strong>굵게</strong>", "<em>기울임</em>", "<s>취소</s>", "<li>하나</li>",
                  "<blockquote>", "<pre><code>code &lt;b&gt;", "<table>", "<td>1</td>"):
        assert piece in html


def test_output_is_markup_and_empty_input_is_empty():
    assert isinstance(render("hi"), Markup)
    assert render(None) == Markup("") and render("") == Markup("")


def test_deep_nesting_does_not_blow_up():
    # Nesting stops at 20 levels (deeper content is not rendered), so a hostile post stays small and fast.
    html = str(render("> " * 500 + "deep"))
    assert html.count("<blockquote>") <= 20
    render("[" * 5000 + "x" + "](https://a.example)" * 10)
    render("*" * 20000)


@pytest.mark.parametrize(("url", "safe"), [
    ("https://a.example", True), ("http://a.example", True), ("mailto:a@b.example", True),
    ("/relative/path", True), ("page.html", True), ("#anchor", True), ("?q=1", True),
    ("javascript:alert(1)", False), (" javascript:1", False), ("\tjavascript:1", False),
    ("java\nscript:1", False), ("%6Aavascript:1", False), ("data:text/html,x", False), ("ftp://x", False),
    ("weird:thing", False), ("./a:b", True),
])
def test_link_is_safe(url, safe):
    assert link_is_safe(url) is safe


def test_markdown_filter_is_registered_for_templates():
    from marketplace.app import create_app
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        html = app.jinja_env.from_string("{{ text | markdown }}").render(text="**x** <b>y</b>")
    assert html == "<p><strong>x</strong> &lt;b&gt;y&lt;/b&gt;</p>\n"
