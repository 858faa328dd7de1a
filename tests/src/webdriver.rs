//! A small WebDriver client for the browser tests: JSON over HTTP/1.1 to a
//! local chromedriver, with no HTTP client library.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running chromedriver with one headless Chromium session.
pub struct Browser {
    port: u16,
    session: String,
    driver: Child,
    profile: std::path::PathBuf,
}

/// Where chromedriver and Chromium are, or why the browser tests cannot run.
pub fn find() -> Result<(String, String), String> {
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chrome = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    for p in [&driver, &chrome] {
        if !std::path::Path::new(p).exists() {
            return Err(format!(
                "{p} is not installed (apt-get install chromium chromium-driver; .ci/run does)"
            ));
        }
    }
    Ok((driver, chrome))
}

async fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    // Read the head, then exactly the body it announces: chromedriver may
    // keep the connection open, so reading to the end would wait forever.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = s.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the head".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let have = buf.len() - head_end;
        let done = match length {
            Some(n) => have >= n,
            None if chunked => buf.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let rest = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let payload = if chunked { dechunk(&rest) } else { rest };
    let v: Value = serde_json::from_str(&payload).map_err(|e| format!("{e}: {payload}"))?;
    if v["value"].get("error").is_some() {
        return Err(format!("{method} {path}: {}", v["value"]));
    }
    Ok(v["value"].clone())
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((len, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9515)
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub async fn start(driver: &str, chrome: &str) -> Result<Browser, String> {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {driver}: {e}"))?;
        let profile = std::env::temp_dir().join(format!("xieshang-chrome-{port}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(v) = http(port, "GET", "/status", None).await
                && v["ready"] == json!(true)
            {
                break;
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chrome,
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900", "--lang=zh-CN", format!("--user-data-dir={}", profile.display())]
        }}}});
        let mut b = Browser {
            port,
            session: String::new(),
            driver: child,
            profile,
        };
        let v = http(port, "POST", "/session", Some(&caps)).await?;
        b.session = v["sessionId"].as_str().ok_or("no session id")?.to_string();
        Ok(b)
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
        .await
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.call("POST", "/url", Some(json!({"url": url})))
            .await
            .map(|_| ())
    }

    /// Sets the window's size in CSS pixels (a phone's is about 390 wide).
    pub async fn resize(&self, width: u32, height: u32) -> Result<(), String> {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .map(|_| ())
    }

    /// The current URL.
    pub async fn url(&self) -> Result<String, String> {
        Ok(self
            .call("GET", "/url", None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Finds an element by CSS selector, waiting up to 5 seconds for it.
    pub async fn find(&self, css: &str) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self
                .call(
                    "POST",
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await
            {
                Ok(v) => {
                    let id = v
                        .as_object()
                        .and_then(|o| o.values().next())
                        .and_then(|v| v.as_str())
                        .ok_or("no element id")?;
                    return Ok(id.to_string());
                }
                Err(e) if Instant::now() > deadline => return Err(format!("{css}: {e}")),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Finds the element matching `css` and calls `path` on it. A page that
    /// is still loading can replace the element between the two calls ("stale
    /// element reference"); then it finds it again, for up to 5 seconds.
    async fn on_element(
        &self,
        css: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let id = self.find(css).await?;
            match self
                .call(method, &format!("/element/{id}{path}"), body.clone())
                .await
            {
                // The page was replaced between finding the element and
                // using it. Newer ChromeDrivers sometimes say so as an
                // "unknown error" from the inspector instead.
                Err(e)
                    if (e.contains("stale element")
                        || e.contains("does not belong to the document"))
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    /// Types into the element matching `css`, after clearing it.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        self.on_element(css, "POST", "/clear", Some(json!({})))
            .await?;
        self.on_element(css, "POST", "/value", Some(json!({"text": text})))
            .await
            .map(|_| ())
    }

    /// Runs a script in the page (for what typing cannot do, such as filling a date picker).
    pub async fn execute(&self, script: &str) -> Result<Value, String> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Chooses the option with `value` in the select matching `css`.
    pub async fn choose(&self, css: &str, value: &str) -> Result<(), String> {
        self.click(&format!("{css} option[value='{value}']")).await
    }

    /// Clicks the element matching `css` and waits until the page has been
    /// replaced by the one the click led to (the old page's root goes stale).
    pub async fn click_to_load(&self, css: &str) -> Result<(), String> {
        let root = self.find("html").await?;
        self.click(css).await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self
                .call("GET", &format!("/element/{root}/name"), None)
                .await
            {
                Err(e) if e.contains("stale element") => {
                    return self.find("main").await.map(|_| ());
                }
                _ if Instant::now() > deadline => {
                    return Err(format!("clicking {css} loaded no new page"));
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Presses a key on the page (as a person would, to whatever has the
    /// focus) and waits until the page it led to has loaded.
    pub async fn press_to_load(&self, key: &str) -> Result<(), String> {
        let root = self.find("html").await?;
        let keys = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
        ]}]});
        self.call("POST", "/actions", Some(keys)).await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self
                .call("GET", &format!("/element/{root}/name"), None)
                .await
            {
                Err(e) if e.contains("stale element") => {
                    return self.find("main").await.map(|_| ());
                }
                _ if Instant::now() > deadline => {
                    return Err(format!("pressing {key} loaded no new page"));
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> Result<(), String> {
        self.on_element(css, "POST", "/click", Some(json!({})))
            .await
            .map(|_| ())
    }

    /// The visible text of the element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String, String> {
        Ok(self
            .on_element(css, "GET", "/text", None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// An attribute of the element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .on_element(css, "GET", &format!("/attribute/{name}"), None)
            .await?
            .as_str()
            .map(String::from))
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> Result<usize, String> {
        let v = self
            .call(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        Ok(v.as_array().map(Vec::len).unwrap_or(0))
    }

    /// Waits until `check` holds of the current URL.
    pub async fn wait_url(&self, check: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let u = self.url().await?;
            if check(&u) {
                return Ok(u);
            }
            if Instant::now() > deadline {
                return Err(format!("URL stayed {u}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot as PNG.
    pub async fn screenshot(&self, path: &std::path::Path) -> Result<(), String> {
        let v = self.call("GET", "/screenshot", None).await?;
        let bytes = base64_decode(v.as_str().unwrap_or_default());
        std::fs::write(path, bytes).map_err(|e| e.to_string())
    }

    /// Ends the session and stops chromedriver.
    pub async fn quit(mut self) {
        let _ = self.call("DELETE", "", None).await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
