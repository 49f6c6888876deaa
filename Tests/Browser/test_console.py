"""Head office's console in a real browser: two centers after a real sync, live."""
import time

from conftest import login


def test_the_console_shows_two_centers_after_a_real_sync(lab, new_page, shot):
    hub = lab.hub()
    hub_dir = hub[0]
    nodes = [lab.node("C001", "阳光花园管理服务中心", hub=hub), lab.node("C002", "明月小区管理服务中心", hub=hub)]
    for (d, key), center in zip(nodes, ["C001", "C002"]):
        lab.as_staff(hub_dir, lab.admin(hub_dir), "hub", "enroll", "--center", center, "--key", key)
    lab.staff(hub_dir, "Q01", "周品质", "quality")
    lab.run("logout", data=hub_dir)
    base = lab.serve("hub", hub_dir)
    for d, _ in nodes:
        lab.serve("node", d)

    page = new_page()
    login(page, base, "Q01")
    assert page.locator("h1").first.inner_text() == "全部中心"
    rows = page.locator("table.nodes tbody tr")
    # The page refreshes itself every 5 seconds; both nodes say HELLO within a few.
    deadline = time.time() + 45
    while time.time() < deadline:
        text = page.locator("table.nodes tbody").inner_text()
        if rows.count() == 2 and text.count("在线") == 2:
            break
        page.wait_for_timeout(500)
    text = page.locator("table.nodes tbody").inner_text()
    assert "C001" in text and "C002" in text
    assert text.count("在线") == 2, text
    assert page.locator("[data-field='summary.healthy']").inner_text() == "2"
    shot(page, "console", "console.png")
    # Drill down to one center.
    page.goto(base + "/?center=C002")
    assert "C002" in page.locator("table.nodes tbody").inner_text()
    assert "C001" not in page.locator("table.nodes tbody").inner_text()
    assert page.js_errors == []
