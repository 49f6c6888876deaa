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


def wait_for(page, url, predicate, seconds=45):
    """Reloads `url` until `predicate(page)` holds (records arrive by sync)."""
    deadline = time.time() + seconds
    while True:
        page.goto(url)
        if predicate(page) or time.time() > deadline:
            return
        page.wait_for_timeout(500)


def test_a_grant_applied_at_a_center_and_approved_at_the_hub_opens_clear_data(lab, new_page, shot):
    hub = lab.hub()
    hub_dir = hub[0]
    node, key = lab.node("C001", "阳光花园管理服务中心", hub=hub)
    lab.as_staff(hub_dir, lab.admin(hub_dir), "hub", "enroll", "--center", "C001", "--key", key)
    lab.staff(hub_dir, "Q01", "周品质", "quality")
    lab.staff(hub_dir, "E01", "吴总", "executive")
    lab.run("logout", data=hub_dir)
    lab.staff(node, "M01", "郑经理", "center_manager")
    lab.as_staff(node, "M01", "customer", "add", "--name", "张三丰", "--phone", "13812345678", "--unit", "3栋2单元1101")
    lab.run("logout", data=node)
    hub_base = lab.serve("hub", hub_dir)
    node_base = lab.serve("node", node)

    # At head office, without a grant: the customer (synced up) is masked.
    quality = new_page()
    login(quality, hub_base, "Q01")
    lookup = hub_base + "/customers?q=13812345678"
    wait_for(quality, lookup, lambda p: "张**" in p.content())
    assert "张**" in quality.content() and "138****5678" in quality.content()
    assert "张三丰" not in quality.content()

    # The center manager applies in the desk.
    manager = new_page()
    login(manager, node_base, "M01")
    manager.goto(node_base + "/grants")
    manager.fill("input[name=grantee]", "Q01")
    manager.fill("input[name=purpose]", "投诉复核")
    manager.fill("input[name=to]", "2099-12-31")
    manager.check("input[name=field_name]")
    manager.check("input[name=field_phone]")
    manager.click("button:has-text('提交申请')")
    assert "待品质部审批" in manager.content()

    # Quality, then leadership approve in the console.
    wait_for(quality, hub_base + "/grants", lambda p: p.locator("button:has-text('批准')").count() > 0)
    quality.click("button:has-text('批准')")
    assert "待公司领导审批" in quality.content()
    executive = new_page()
    login(executive, hub_base, "E01")
    executive.goto(hub_base + "/grants")
    executive.click("button:has-text('批准')")
    assert "生效中" in executive.content()
    shot(executive, "grant")

    # The grant opens the customer's name and phone in clear, for its grantee.
    quality.goto(lookup)
    assert "张三丰" in quality.content() and "13812345678" in quality.content()
    shot(quality, "clear")
    assert quality.js_errors == [] and manager.js_errors == []
