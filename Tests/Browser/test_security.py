"""The security plumbing seen from a real browser: headers, cookie flags over HTTP and
HTTPS, and forms refused without their CSRF token."""
import subprocess

from conftest import PASSWORD


def make_cert(dir):
    cert, key = dir / "desk.pem", dir / "desk.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_login_page_headers_and_cookie_flags_over_http(lab, new_page, shot):
    hub, _, _ = lab.hub()
    base = lab.serve("hub", hub)
    page = new_page()
    response = page.goto(base + "/login")
    assert response.status == 200
    h = response.headers
    assert "script-src 'self'" in h["content-security-policy"]
    assert "unsafe-inline" not in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"
    cookies = {c["name"]: c for c in page.context.cookies()}
    pre = cookies["gh_pre"]
    assert pre["httpOnly"] and pre["sameSite"] == "Strict" and not pre["secure"]
    # No script can read it.
    assert page.evaluate("document.cookie") == ""
    assert page.js_errors == []
    shot(page, "login", "login.png")


def test_a_form_without_its_csrf_token_gets_403(lab, new_page):
    hub, _, _ = lab.hub()
    base = lab.serve("hub", hub)
    page = new_page()
    page.goto(base + "/login")
    # The same form, posted by the browser with the token removed.
    page.evaluate("document.querySelector('input[name=csrf]').remove()")
    page.fill("input[name=user]", lab.admin(hub))
    page.fill("input[name=password]", PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as info:
        page.click("button[type=submit]")
    assert info.value.status == 403
    assert "表单已失效" in page.content()
    # A token that is not this browser's.
    page.goto(base + "/login")
    page.evaluate("document.querySelector('input[name=csrf]').value = 'forged-token'")
    page.fill("input[name=user]", lab.admin(hub))
    page.fill("input[name=password]", PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.click("button[type=submit]")
    assert info.value.status == 403


def test_cookies_are_secure_under_tls(lab, new_page, tmp_path):
    hub, _, _ = lab.hub()
    cert, key = make_cert(tmp_path)
    base = lab.serve("hub", hub, "--tls-cert", str(cert), "--tls-key", str(key))
    assert base.startswith("https://127.0.0.1:")
    page = new_page(https=True)
    response = page.goto(base + "/login")
    assert response.status == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookies = {c["name"]: c for c in page.context.cookies()}
    pre = cookies["__Host-gh_pre"]
    assert pre["secure"] and pre["httpOnly"] and pre["sameSite"] == "Strict" and pre["path"] == "/"
