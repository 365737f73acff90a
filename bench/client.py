"""A browser's side of the conversation: keep-alive HTTP/1.1, the session cookie, forms filled in as a person would.

Forms are read from the page the server renders (every input, textarea and select with the values a browser would
send, the CSRF token included), then the person's answers are filled in; the body is sent urlencoded, as a browser
sends a form without files.
"""
from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    ms: float

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def server(self, name: str) -> float:
        return float(self.headers.get(f"X-Bench-{name}", "nan"))


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.keep_cookies = True

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None,
                referer: str | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": UA, "Accept": ACCEPT,
                   "Accept-Language": "zh-CN,zh;q=0.9", "Accept-Encoding": "identity", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode("ascii")
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                            "Referer": self.origin + (referer or path)})
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, ConnectionError):
            self.conn.close()  # the server closed a kept-alive connection: reconnect once, as a browser does
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            t0 = time.perf_counter()
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            data = response.read()
        ms = (time.perf_counter() - t0) * 1000
        if self.keep_cookies:
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                if value and "expires=thu, 01 jan 1970" not in cookie.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
        return Response(response.status, response.headers, data, ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def login(self, username: str, password: str) -> None:
        page = self.get("/login")
        form = page_form(page.body, "/login")
        response = self.request("POST", "/login", form.filled({"username": username, "password": password}))
        if response.status != 302:
            raise RuntimeError(f"login of {username} failed: HTTP {response.status}")

    def close(self) -> None:
        self.conn.close()


@dataclass
class Form:
    action: str | None
    fields: list[dict] = field(default_factory=list)  # {tag, type, name, value, checked, options}

    def filled(self, answers: dict[str, str | list[str]]) -> list[tuple[str, str]]:
        """The pairs a browser submits after the person typed/chose `answers` (radio, select: by value;
        checkboxes: the listed values are ticked; other fields: the text)."""
        pairs: list[tuple[str, str]] = []
        for f in self.fields:
            name, kind = f["name"], f["type"]
            wanted = answers.get(name)
            if kind in ("radio", "checkbox"):
                values = [wanted] if isinstance(wanted, str) else (wanted or [])
                checked = (f["value"] in values) if name in answers else f["checked"]
                if checked:
                    pairs.append((name, f["value"]))
            elif kind in ("submit", "button", "reset", "image", "file"):
                continue
            elif f["tag"] == "select":
                if name in answers:
                    chosen = [wanted] if isinstance(wanted, str) else list(wanted or [])
                else:
                    chosen = [v for v, sel in f["options"] if sel] or ([f["options"][0][0]]
                                                                         if f["options"] and not f["multiple"] else [])
                pairs.extend((name, v) for v in chosen)
            else:
                pairs.append((name, str(wanted) if name in answers else f["value"]))
        return pairs


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._text: dict | None = None
        self._select: dict | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action"))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append({"tag": "input", "type": kind, "name": a["name"], "value": a.get("value", default),
                                      "checked": "checked" in a})
        elif tag == "textarea" and a.get("name"):
            self._text = {"tag": "textarea", "type": "textarea", "name": a["name"], "value": "", "checked": False}
            self._form.fields.append(self._text)
        elif tag == "select" and a.get("name"):
            self._select = {"tag": "select", "type": "select", "name": a["name"], "options": [],
                            "multiple": "multiple" in a, "value": "", "checked": False}
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select["options"].append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._text = None
        elif tag == "select":
            if self._select is not None:
                self._select["options"] = [(o[0] if o[0] is not None else o[2].strip(), o[1])
                                           for o in self._select["options"]]
            self._select = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._text is not None:
            self._text["value"] += data
        if self._option is not None:
            self._option[2] += data


def page_form(html: bytes, action: str | None = None) -> Form:
    """The page's main form: the one posting to `action`, or the one without an action (posts to the page)."""
    parser = _FormParser()
    parser.feed(html.decode("utf-8"))
    for form in parser.forms:
        target = (form.action or "").split("?")[0] or None
        if target == action:
            if action is not None or len(form.fields) > 1:
                return form
    raise LookupError(f"no form posting to {action or 'the page'}")
