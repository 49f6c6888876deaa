"""The center's desk in a real browser: the clerk's main flow and what a masked role and a
technician see. One node (offline: its hub is made but never started) serves every test of
this module, to keep the suite fast."""
import pytest

from conftest import Lab, login


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("desk"))
    hub = lab.hub()
    node, _ = lab.node("C001", "阳光花园管理服务中心", hub=hub)
    lab.staff(node, "F01", "王芳", "front-desk")
    lab.staff(node, "T01", "李师傅", "technician")
    lab.staff(node, "K01", "钱会计", "cashier")
    lab.as_staff(node, "F01", "customer", "add", "--name", "张三丰", "--phone", "13812345678", "--unit", "3栋2单元1101")
    lab.run("logout", data=node)
    lab.base = lab.serve("node", node)
    lab.data = node
    yield lab
    lab.stop()


def test_a_clerk_looks_up_the_caller_opens_a_repair_dispatches_and_completes(desk, new_page, shot):
    page = new_page()
    login(page, desk.base, "F01")
    assert page.locator("h1").first.inner_text() == "工作台"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, "dashboard", "desk-dashboard.png")

    # The caller's number, typed into the lookup on the first page.
    page.fill("input[name=q]", "13812345678")
    page.click("form.lookup button[type=submit]")
    page.wait_for_url("**/customers?q=13812345678")
    row = page.locator("table.customers tbody tr").first
    assert "张三丰" in row.inner_text() and "13812345678" in row.inner_text()
    shot(page, "lookup", "desk-lookup.png")

    # Open a request for the caller from the lookup.
    row.locator("a", has_text="登记工单").click()
    page.select_option("select[name=kind]", "repair")
    page.fill("textarea[name=summary]", "厨房水管漏水")
    page.click("button:has-text('登记')")
    page.wait_for_url("**/tickets/C001-*")
    assert "工单已登记" in page.content()
    number = page.url.split("/tickets/")[1].split("?")[0]

    # Dispatch to the technician, then complete with the customer's signature.
    dispatch = page.locator(f"form[action='/tickets/{number}/step/dispatch']")
    dispatch.locator("select[name=to]").select_option("T01")
    dispatch.locator("button[type=submit]").click()
    page.wait_for_url(f"**/tickets/{number}?ok=dispatch")
    assert "已派工" in page.locator(".flash").inner_text()
    assert "T01" in page.locator("dd.assignee").inner_text()
    page.locator(f"form[action='/tickets/{number}/step/arrive'] button[type=submit]").click()
    page.wait_for_url("**?ok=arrive")
    complete = page.locator(f"form[action='/tickets/{number}/step/complete']")
    complete.locator("input[name=signed]").check()
    complete.locator("button[type=submit]").click()
    page.wait_for_url("**?ok=complete")
    assert page.locator(".stage").inner_text().startswith("已完成")

    # The callback, recorded on the request.
    callback = page.locator(f"form[action='/tickets/{number}/callback']")
    callback.locator("select[name=result]").select_option("satisfied")
    callback.locator("input[name=score]").fill("95")
    callback.locator("button[type=submit]").click()
    page.wait_for_url("**?ok=callback")
    assert page.locator(".stage").inner_text().startswith("已回访")
    shot(page, "request", "desk-request.png")
    assert page.js_errors == []


def test_a_masked_role_sees_masked_names_and_numbers(desk, new_page, shot):
    page = new_page(width=820, height=1100)  # a tablet
    login(page, desk.base, "K01")
    page.goto(desk.base + "/customers?q=13812345678")
    row = page.locator("table.customers tbody tr").first
    text = row.inner_text()
    assert "张**" in text and "138****5678" in text
    assert "张三丰" not in page.content() and "13812345678</" not in page.content()
    shot(page, "masked")


def test_a_technician_has_no_dispatch_button_and_a_forged_post_is_refused(desk, new_page):
    clerk = new_page()
    login(clerk, desk.base, "F01")
    clerk.goto(desk.base + "/tickets/new?phone=13812345678")
    clerk.fill("textarea[name=summary]", "阳台门锁坏")
    clerk.click("button:has-text('登记')")
    clerk.wait_for_url("**/tickets/C001-*")
    number = clerk.url.split("/tickets/")[1].split("?")[0]
    clerk.locator(f"form[action='/tickets/{number}/step/dispatch'] select[name=to]").select_option("T01")
    clerk.locator(f"form[action='/tickets/{number}/step/dispatch'] button[type=submit]").click()
    clerk.wait_for_url("**?ok=dispatch")

    tech = new_page()
    login(tech, desk.base, "T01")
    tech.goto(desk.base + f"/tickets/{number}")
    assert tech.locator(f"form[action='/tickets/{number}/step/dispatch']").count() == 0
    assert tech.locator(f"form[action='/tickets/{number}/step/arrive']").count() == 1
    assert "张**" in tech.locator("dd.contact").inner_text()
    # The technician's browser posts a dispatch form of its own making, with a valid token.
    status = tech.evaluate("""async (number) => {
        const token = document.querySelector('input[name=csrf]').value;
        const r = await fetch('/tickets/' + number + '/step/dispatch', {method: 'POST',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'},
            body: 'csrf=' + encodeURIComponent(token) + '&to=T01'});
        return r.status;
    }""", number)
    assert status == 403


def test_a_clerk_imports_the_roster_from_excels_csv_and_reads_the_price_list(desk, new_page, shot, tmp_path):
    # Excel's plain "CSV" on a Chinese Windows is GBK: the page reads it as the command line does.
    roster = tmp_path / "名册.csv"
    roster.write_bytes("姓名,电话,房号\r\n赵六,13600001111,7栋1单元101\r\n钱七,13600002222,7栋1单元102\r\n".encode("gbk"))
    page = new_page()
    login(page, desk.base, "F01")
    page.goto(desk.base + "/customers")
    page.click("a:has-text('导入')")
    page.wait_for_url("**/customers/import")
    page.set_input_files("input[name=file]", str(roster))
    page.click("form[action='/customers/import'] button[type=submit]")
    page.wait_for_load_state()
    assert "导入了 2 位顾客" in page.locator(".import-report").inner_text()
    shot(page, "import")
    page.goto(desk.base + "/customers?q=13600001111")
    assert "赵六" in page.locator("table.customers").inner_text()
    page.click("nav.main a:has-text('价目表')")
    page.wait_for_url("**/prices")
    assert page.locator("h1").first.inner_text() == "价目表"
    assert page.locator("form[action='/prices']").count() == 0, "the front desk does not edit prices"
    assert page.js_errors == []
