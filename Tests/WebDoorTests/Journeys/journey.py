#!/usr/bin/python3
"""The web door's journeys in a real browser (issue 19, stages 2 and 3).

Run by BrowserJourneyTests (swift test) with Debian's python3 and its packages: python3-selenium,
chromium, chromium-driver, fonts-noto-cjk (so Chinese renders). Not pyenv's python: it lacks
Debian's selenium. Usage: /usr/bin/python3 journey.py FIXTURE.json [close]

Two runs: the journeys up to the reviewer's approval (the public notice opens), then — after the
test has moved the database's simulated clock past the notice's last day — `close`: the reviewer
closes the notice and the cluster is on the register and the public recognition list.

The fixture names the site (nginx in front of `cluster-review web`), the people and their
passwords, the filings and the names the pages must show, and where screenshots go. Every step
checks what a person would look at; the first failure stops the run with exit 1 and says which.
Screenshots of the main pages (PNG, the whole page) and the report printed to PDF are written for
a person to look at.
"""

import base64
import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import Select, WebDriverWait


class JourneyFailed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise JourneyFailed(what)
    print(f"  ok  {what}", flush=True)


class Journey:
    def __init__(self, fixture):
        self.fx = fixture
        self.base = fixture["base"]
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--lang=zh-CN", "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)

    # -- helpers

    def open(self, path):
        self.driver.get(self.base + path)

    def path(self):
        url = self.driver.current_url
        return url[len(self.base):] if url.startswith(self.base) else url

    def follow(self, element, action=None):
        """Clicks (or submits) `element` and waits for the next page to replace this one: a form's
        POST answers 303, and the click may return before the browser has followed it. The page is
        marked first (a property of its window, gone with the document) rather than watched by its
        element, which Chromium may report in mid-navigation as an inspector error instead of stale."""
        self.driver.execute_script("window.__journeyPage = true")
        (action or element.click)()
        WebDriverWait(self.driver, 15, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return window.__journeyPage === undefined && document.readyState === 'complete'"))

    def arrive(self, prefix, seconds=10):
        """Waits for the browser to land on a path starting with `prefix` (a form's POST answers
        with 303, and the click returns before the redirect is followed); the path where it is."""
        try:
            WebDriverWait(self.driver, seconds).until(lambda _: self.path().startswith(prefix))
        except TimeoutException:
            pass
        return self.path()

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def shot(self, name):
        """The whole page as a PNG (the window grown to the page's height)."""
        height = self.driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        self.driver.set_window_size(1280, max(900, min(int(height) + 40, 8000)))
        path = f"{self.fx['screenshots']}/{name}.png"
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 900)
        print(f"  --  screenshot {path}", flush=True)

    def shot_of(self, name, element):
        """One part of the page (a form, a section) as a PNG, readable at its own size."""
        self.driver.set_window_size(1280, 4000)
        path = f"{self.fx['screenshots']}/{name}.png"
        element.screenshot(path)
        self.driver.set_window_size(1280, 900)
        print(f"  --  screenshot {path}", flush=True)

    def print_pdf(self, name):
        """The page as the browser prints it (A4, print styles)."""
        result = self.driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})
        path = f"{self.fx['screenshots']}/{name}.pdf"
        with open(path, "wb") as out:
            out.write(base64.b64decode(result["data"]))
        print(f"  --  printed {path}", flush=True)

    def no_policy_violations(self, where):
        """The strict Content-Security-Policy refused nothing the page needs (and nothing tried)."""
        messages = [entry["message"] for entry in self.driver.get_log("browser")]
        blocked = [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
        check(not blocked, f"{where}: no Content-Security-Policy violation {blocked}")

    def styled(self, where):
        """The stylesheet (a file: no inline style is allowed) was applied."""
        colour = self.driver.execute_script(
            "return getComputedStyle(document.querySelector('header.site')).backgroundColor")
        check(colour == "rgb(18, 58, 107)", f"{where}: site.css applied (header {colour})")

    def sign_in(self, person):
        self.open("/sign-in")
        self.driver.find_element(By.NAME, "login").send_keys(person["login"])
        self.driver.find_element(By.NAME, "password").send_keys(person["password"])
        self.follow(self.driver.find_element(By.CSS_SELECTOR, "form.stacked button[type=submit]"))
        where = self.arrive("/")
        check(where == "/", f"{person['login']} signed in and sent home ({where})")
        check(person["login"] in self.text(), "the site bar names the person")

    def sign_out(self):
        self.follow(self.driver.find_element(By.CSS_SELECTOR, "form.sign-out button"))
        where = self.arrive("/sign-in")
        check(where.startswith("/sign-in"), f"signed out, on the sign-in page ({where})")
        check("您已退出登录" in self.text(), "the page says so")

    # -- the journeys

    def public(self):
        print("public, signed out", flush=True)
        self.open("/")
        check("中小企业特色产业集群认定" in self.h1(), "the public home page, in Chinese")
        self.styled("home")
        self.shot("01-public-home")
        self.follow(self.driver.find_element(By.LINK_TEXT, "公示名单"))
        check(self.path() == "/public/notices", "the public notices from the navigation")
        check(self.fx["notice_name"] in self.text(), "the cluster under notice is listed")
        check("如何提出异议" in self.text(), "how to object is said")
        check(self.fx["recognized_name"] not in self.text(), "a closed notice is not listed")
        self.shot("08-public-notices")
        self.follow(self.driver.find_element(By.LINK_TEXT, "认定名单"))
        check(self.fx["certificate"] in self.text() and self.fx["recognized_name"] in self.text(),
              "the recognition list shows the certificate and the cluster")
        self.shot("09-recognition-list")
        self.no_policy_violations("public pages")

    def county(self):
        print("county", flush=True)
        self.open("/filings")
        check(self.path().startswith("/sign-in?next="), "a signed-out visitor is sent to sign in")
        self.shot("02-sign-in")
        self.sign_in(self.fx["county"])
        self.shot("03-county-home")
        self.follow(self.driver.find_element(By.LINK_TEXT, "我的申报"))
        check(self.h1() == "我的申报", "my filings")
        body = self.text()
        check(self.fx["own_name"] in body, "the county's own filing is listed")
        check(self.fx["foreign_name"] not in body, "another county's filing is not")
        check("等待省级评审人确认和决定" in body, "what to do next is said")
        self.shot("03-county-filings")
        self.follow(self.driver.find_element(By.LINK_TEXT, str(self.fx["own_filing"])))
        check(self.path() == f"/filings/{self.fx['own_filing']}", "the report opens")
        check(self.driver.find_elements(By.ID, "recommendation"), "the recommendation is at the top")
        check(self.driver.find_elements(By.CSS_SELECTOR, "svg.radar"), "the eight indicators are drawn")
        check(self.driver.find_elements(By.CSS_SELECTOR, "article.finding"), "every finding is listed")
        check(not self.driver.find_elements(By.CSS_SELECTOR, "section.confirm-forms"), "a county gets no confirmation form")
        self.styled("report")
        self.shot("04-county-report")
        self.print_pdf("report-printed")
        self.open(f"/filings/{self.fx['foreign_filing']}")
        check(self.h1() == "页面不存在", "another county's filing id is not found (404)")
        check(self.fx["foreign_name"] not in self.text(), "nothing of it shows")
        self.open("/filings")
        self.follow(self.driver.find_element(By.CSS_SELECTOR, "a.language"))
        check(self.h1() == "My filings", "the page in English")
        self.shot("05-county-filings-en")
        self.follow(self.driver.find_element(By.CSS_SELECTOR, "a.language"))
        check(self.h1() == "我的申报", "back to Chinese")
        self.file_a_filing()
        self.no_policy_violations("county pages")
        self.sign_out()
        self.open("/filings")
        check(self.path().startswith("/sign-in"), "after signing out the filings need a sign-in again")

    def file_a_filing(self):
        """Upload → self-check → submit → follow it until the coordinator has reviewed it; a pasted
        filing with an error shows the error at its path and line."""
        print("county files a filing", flush=True)
        self.follow(self.driver.find_element(By.LINK_TEXT, "提交申报"))
        check(self.path() == "/filings/new" and self.h1() == "提交申报", "the filing page from the navigation")
        check(self.driver.find_elements(By.CSS_SELECTOR, "#templates a[href='/templates/initial']"), "a blank template to download")
        # A pasted filing with an error: the error listed with its path, the line marked.
        with open(self.fx["upload_file"], encoding="utf-8") as source:
            broken = source.read().replace('"filing_date":', '"filing_date": "明天", "x_typo":', 1)
        area = self.driver.find_element(By.NAME, "text")
        self.driver.execute_script("arguments[0].value = arguments[1]", area, broken)
        self.follow(self.driver.find_element(By.ID, "check-filing"))
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#issues tbody tr")
        check(rows, f"the errors are listed ({len(rows)})")
        check(any(row.get_attribute("data-path") == "$.filing_date" for row in rows), "the date's error is at $.filing_date")
        check(self.driver.find_elements(By.CSS_SELECTOR, "ol.listing li.flagged"), "the lines with an error are marked")
        check(not self.driver.find_elements(By.ID, "submit-filing"), "a filing with errors cannot be submitted")
        self.shot("11-county-self-check-errors")
        # The file uploaded as it is.
        self.driver.find_element(By.NAME, "text").clear()
        self.driver.find_element(By.NAME, "file").send_keys(self.fx["upload_file"])
        self.follow(self.driver.find_element(By.ID, "check-filing"))
        check(self.driver.find_elements(By.ID, "self-check"), "the self-check says it is not a decision")
        check(self.driver.find_elements(By.ID, "recommendation"), "the self-check's recommendation")
        check(self.driver.find_elements(By.CSS_SELECTOR, "article.finding"), "the modules' findings")
        check(self.fx["upload_name"] in self.text(), "the uploaded cluster's name")
        self.styled("self-check")
        self.shot("10-county-self-check")
        self.follow(self.driver.find_element(By.ID, "submit-filing"))
        where = self.path()
        check(where.startswith("/submissions/") or where.startswith("/filings/"), f"submitted ({where})")
        if where.startswith("/submissions/"):
            check("已收到" in self.text(), "received, waiting for the door's check")
            self.shot("12-county-submission-received")
        # The page reloads itself until the door has filed it.
        where = self.arrive("/filings/", seconds=90)
        check(where.startswith("/filings/"), f"filed: on the filing's page ({where})")
        reviewed = "等待省级评审人确认和决定"
        deadline = time.monotonic() + 180
        while reviewed not in self.text() and time.monotonic() < deadline:
            time.sleep(2)
            self.driver.refresh()
        check(reviewed in self.text(), "the coordinator has reviewed it: waiting for the reviewer")
        check(self.driver.find_elements(By.ID, "recommendation"), "its report")
        self.shot("13-county-filed-reviewed")
        self.open("/filings")
        check(self.fx["upload_name"] in self.text(), "the new filing is in my filings")

    def reviewer(self):
        print("reviewer", flush=True)
        self.sign_in(self.fx["reviewer"])
        self.follow(self.driver.find_element(By.LINK_TEXT, "审查队列"))
        check(self.h1() == "审查队列", "the review queue")
        body = self.text()
        check(self.fx["own_name"] in body and self.fx["foreign_name"] in body, "every county's filings are in the queue")
        Select(self.driver.find_element(By.NAME, "status")).select_by_value("reviewed")
        Select(self.driver.find_element(By.NAME, "county")).select_by_value(self.fx["foreign_county"])
        self.follow(self.driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        body = self.text()
        check("status=reviewed" in self.path() and f"county={self.fx['foreign_county']}" in self.path(), "the filters are in the address")
        check(self.fx["foreign_name"] in body and self.fx["own_name"] not in body, "status and county filter the queue")
        self.follow(self.driver.find_element(By.LINK_TEXT, "清除"))
        search = self.driver.find_element(By.NAME, "q")
        search.send_keys(self.fx["search"])
        self.follow(search, search.submit)
        body = self.text()
        check(self.fx["foreign_name"] in body and self.fx["own_name"] not in body, f"searching '{self.fx['search']}' finds the cluster by name")
        self.shot("06-reviewer-queue")
        self.review_and_decide()
        self.no_policy_violations("reviewer pages")
        self.sign_out()

    def review_and_decide(self):
        """Every waiting finding confirmed with one form, each with its note; then approve with
        grounds; the public notice opens with its dates."""
        print("reviewer confirms and decides", flush=True)
        filing = self.fx["decide_filing"]
        self.open(f"/filings/{filing}")
        check(self.fx["decide_name"] in self.text(), "the filing to decide opens")
        sets = self.driver.find_elements(By.CSS_SELECTOR, "form.confirm-all fieldset.finding-confirmation")
        check(sets, f"one form holds every finding that waits ({len(sets)})")
        criteria = [field.get_attribute("data-criterion") for field in sets]
        for field in sets:
            criterion = field.get_attribute("data-criterion")
            field.find_element(By.CSS_SELECTOR, "input[value=accept]").click()
            field.find_element(By.TAG_NAME, "textarea").send_keys(f"{criterion}：材料齐全，实地核查属实")
        self.shot("14-reviewer-confirm-all")
        self.shot_of("14-reviewer-confirm-all-form", self.driver.find_element(By.ID, "confirm"))
        self.follow(self.driver.find_element(By.ID, "confirm-all"))
        check(self.path().startswith(f"/filings/{filing}"), "back on the report after confirming")
        check(not self.driver.find_elements(By.CSS_SELECTOR, "form.confirm-all"), "nothing is left to confirm")
        for criterion in criteria:
            done = self.driver.find_elements(By.CSS_SELECTOR, f"ul.confirmations li[data-criterion='{criterion}']")
            check(done and self.fx["reviewer"]["login"] in done[0].text, f"{criterion} is confirmed, with its note, by the reviewer")
        decide = self.driver.find_element(By.ID, "decide")
        decide.find_element(By.CSS_SELECTOR, "input[value=approve]").click()
        decide.find_element(By.NAME, "note").send_keys("符合认定标准，同意认定")
        decide.find_element(By.NAME, "grounds").send_keys("各项指标经逐项核实，符合《办法》第五条至第八条")
        self.shot("15-reviewer-decide")
        self.follow(decide.find_element(By.ID, "decide-button"))
        check(self.driver.find_elements(By.CSS_SELECTOR, "li.decision[data-decision=approve]"), "the decision is on the record")
        notice = self.driver.find_elements(By.CSS_SELECTOR, "section#notice[data-state=open]")
        check(notice, "the public notice is open")
        check("公示期：" in notice[0].text and " 至 " in notice[0].text, "with its dates")
        check(self.driver.find_elements(By.ID, "close-notice"), "and the form that closes it")
        self.shot("16-reviewer-notice-open")
        self.shot_of("16-reviewer-notice-open-section", self.driver.find_element(By.ID, "notice"))

    def close_notice(self):
        """After the notice period (the test has moved the database's clock): close it, and the
        cluster is recognized, on the register and on the public list."""
        print("reviewer closes the notice", flush=True)
        self.sign_in(self.fx["reviewer"])
        filing = self.fx["decide_filing"]
        self.open(f"/filings/{filing}")
        check("公示期已满" in self.text(), "the page says the period has ended")
        self.follow(self.driver.find_element(By.ID, "close-notice"))
        check(self.driver.find_elements(By.CSS_SELECTOR, "section#notice[data-state=recognized]"), "the notice is closed: recognized")
        check(self.driver.find_elements(By.CSS_SELECTOR, "li.certificate"), "the certificate is on the record")
        self.shot("17-reviewer-recognized")
        self.follow(self.driver.find_element(By.LINK_TEXT, "认定名册"))
        check(self.fx["decide_name"] in self.text(), "the cluster is in the register")
        self.shot("18-reviewer-register")
        self.no_policy_violations("reviewer pages after the notice")
        self.sign_out()
        self.open("/public/register")
        check(self.fx["decide_name"] in self.text(), "and on the public recognition list")
        self.shot("19-public-recognition-list")

    def administrator(self):
        print("administrator", flush=True)
        self.driver.delete_all_cookies()
        self.sign_in(self.fx["admin"])
        self.follow(self.driver.find_element(By.LINK_TEXT, "登录用户"))
        check(self.path() == "/admin/logins" and self.h1() == "登录用户", "the logins page from the navigation")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "table#logins tbody tr")
        names = [row.get_attribute("data-login") for row in rows]
        check(self.fx["county"]["login"] in names, "the county's login is listed")
        row = self.driver.find_element(By.CSS_SELECTOR, f"tr[data-login='{self.fx['county']['login']}']")
        check("县级主管部门" in row.text, "with its role in words")
        check(self.driver.find_element(By.NAME, "password").get_attribute("value") == "", "the password field is empty")
        self.styled("logins")
        self.shot("20-admin-logins")
        self.no_policy_violations("the logins page")

    def run(self, phase):
        try:
            if phase == "close":
                self.close_notice()
            else:
                self.public()
                self.county()
                self.reviewer()
                self.administrator()
        finally:
            self.driver.quit()


def main():
    with open(sys.argv[1], encoding="utf-8") as source:
        fixture = json.load(source)
    started = time.monotonic()
    try:
        Journey(fixture).run(sys.argv[2] if len(sys.argv) > 2 else "all")
    except (JourneyFailed, NoSuchElementException) as failure:
        print(f"FAILED: {failure}", flush=True)
        return 1
    print(f"all journeys passed in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
