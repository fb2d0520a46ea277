//! The headless-browser check every HTML report passes: open it in Debian's Chromium, dump the
//! DOM after scripts would have run, log every network request, and take a screenshot.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Chromium binary on `PATH`, if any.
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Chromium, or `None` (with a note) when it is not installed outside CI. Under CI a missing
/// browser fails the test: `.ci/run` installs it.
pub fn chromium_or_skip() -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required under CI (.ci/run installs it)"
        );
        eprintln!(
            "skipped: chromium is not installed (apt-get install chromium); CI runs this test"
        );
    }
    browser
}

/// What the browser saw of one page.
pub struct Visit {
    /// The DOM after loading.
    pub dom: String,
    /// URLs the page itself requested (not the browser's own services).
    pub page_requests: Vec<String>,
    /// The screenshot's bytes.
    pub screenshot: Vec<u8>,
}

/// Runs headless Chromium on `page` with a profile of its own and the `extra` flags; returns
/// what it printed (the DOM with `--dump-dom`). Every browser test starts Chromium here.
pub fn run(browser: &Path, profile: &Path, page: &Path, extra: &[String]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Opens `page` in headless Chromium (scratch files go in `work`).
pub fn visit(browser: &Path, work: &Path, page: &Path) -> Visit {
    let profile = work.join("profile");
    let netlog = work.join("netlog.json");
    let shot = work.join("shot.png");
    let dom = run(
        browser,
        &profile,
        page,
        &[
            "--dump-dom".to_string(),
            format!("--log-net-log={}", netlog.display()),
        ],
    );
    run(
        browser,
        &profile,
        page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1800".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    Visit {
        dom,
        page_requests: page_initiated_requests(&netlog),
        screenshot: std::fs::read(&shot).expect("a screenshot was written"),
    }
}

/// Checks that the network check catches a page that loads a remote image, so a pass means
/// something.
pub fn assert_request_check_works(browser: &Path, work: &Path) {
    let leak = work.join("leak.html");
    std::fs::write(
        &leak,
        "<html><body><img src=\"http://example.invalid/x.png\"></body></html>",
    )
    .expect("write the control page");
    let leak_log = work.join("leak-netlog.json");
    run(
        browser,
        &work.join("profile"),
        &leak,
        &[
            "--dump-dom".to_string(),
            format!("--log-net-log={}", leak_log.display()),
        ],
    );
    assert_eq!(
        page_initiated_requests(&leak_log),
        vec!["http://example.invalid/x.png".to_string()],
        "the net log check must catch a page's request"
    );
}

/// The page's `<title>` text in a dumped DOM.
pub fn title(dom: &str) -> &str {
    dom.split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or("")
}

/// URLs of requests in a Chromium net log that a page (not the browser itself) started.
/// Chromium's own services (update checks and the like) appear with the initiator "not an
/// origin"; a request from a page opened from a file has the initiator "null".
pub fn page_initiated_requests(netlog: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(netlog).expect("chromium wrote its net log");
    let log: serde_json::Value = serde_json::from_str(&text).expect("the net log is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("event type in the net log constants");
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .filter(|u| !u.starts_with("file://"))
        .collect()
}

/// Checks that hostile text put into a report's inputs stayed text: the document title was not
/// changed by a script (it starts with `title_prefix` and says nothing of "pwned"), no element
/// was injected, and the hostile text is shown escaped.
pub fn assert_hostile_text_inert(visit: &Visit, title_prefix: &str) {
    let dom = &visit.dom;
    let title = title(dom);
    assert!(
        title.starts_with(title_prefix) && !title.contains("pwned"),
        "an injected script ran: title {title:?}"
    );
    assert!(!dom.contains("<img"), "an injected element was created");
    assert!(!dom.contains("<script"), "a script element exists");
    assert!(
        dom.contains("&lt;script&gt;document.title="),
        "the hostile text is shown as text"
    );
}

/// Checks that the page made no network request (with the control that shows the check can
/// fail) and rendered a real screenshot.
pub fn assert_self_contained(browser: &Path, work: &Path, visit: &Visit) {
    assert!(
        visit.page_requests.is_empty(),
        "the page made network requests: {:?}",
        visit.page_requests
    );
    assert_request_check_works(browser, work);
    assert!(
        visit.screenshot.len() > 20_000 && visit.screenshot.starts_with(b"\x89PNG"),
        "screenshot is empty"
    );
}
