//! E-mail of notifications through an SMTP relay: plain SMTP with optional
//! AUTH PLAIN, as a local relay (postfix, a cloud relay's agent) takes it. TLS
//! to a remote server is the relay's job; the README says so.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Where and as whom to send.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub user: Option<(String, String)>,
    pub from: String,
}

impl Smtp {
    /// From `smtp://[user:password@]host[:port]`.
    pub fn parse(url: &str, from: &str) -> Result<Smtp, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| "the SMTP URL must start with smtp://".to_string())?;
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let hostport = hostport.trim_end_matches('/');
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| format!("bad SMTP port {p}"))?),
            None => (hostport, 25),
        };
        if host.is_empty() {
            return Err("the SMTP URL names no host".into());
        }
        let user = auth.map(|a| match a.split_once(':') {
            Some((u, p)) => (percent_decode(u), percent_decode(p)),
            None => (percent_decode(a), String::new()),
        });
        Ok(Smtp {
            host: host.to_string(),
            port,
            user,
            from: from.to_string(),
        })
    }
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 (RFC 4648), for AUTH and for UTF-8 headers and bodies.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One message: UTF-8 subject and text.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub text: String,
}

fn render(from: &str, m: &Message) -> String {
    // The body as base64 lines of 76, so that no line is too long and no
    // line of the text can end the DATA section.
    let body = base64(m.text.as_bytes());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?B?{subject}?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n",
        to = m.to,
        subject = base64(m.subject.as_bytes()),
        body = lines.join("\r\n"),
    )
}

struct Conn {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    /// Reads a (possibly multi-line) reply; fails unless its code starts with `expect`.
    async fn reply(&mut self, expect: char) -> Result<(), String> {
        loop {
            let mut line = String::new();
            let n = self
                .r
                .read_line(&mut line)
                .await
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the SMTP server closed the connection".into());
            }
            if !line.starts_with(expect) {
                return Err(format!("SMTP: {}", line.trim_end()));
            }
            // "250-..." continues, "250 ..." ends.
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(());
            }
        }
    }

    async fn send(&mut self, line: &str, expect: char) -> Result<(), String> {
        self.w
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.reply(expect).await
    }
}

/// Sends the messages over one connection; the first failure stops it.
pub async fn send(smtp: &Smtp, messages: &[Message]) -> Result<usize, String> {
    let stream = tokio::time::timeout(
        Duration::from_secs(10),
        TcpStream::connect((smtp.host.as_str(), smtp.port)),
    )
    .await
    .map_err(|_| "SMTP connection timed out".to_string())?
    .map_err(|e| e.to_string())?;
    let (r, w) = stream.into_split();
    let mut c = Conn {
        r: BufReader::new(r),
        w,
    };
    let talk = async {
        c.reply('2').await?;
        c.send("EHLO xieshang", '2').await?;
        if let Some((user, password)) = &smtp.user {
            let token = base64(format!("\0{user}\0{password}").as_bytes());
            c.send(&format!("AUTH PLAIN {token}"), '2').await?;
        }
        let mut sent = 0;
        for m in messages {
            c.send(&format!("MAIL FROM:<{}>", smtp.from), '2').await?;
            c.send(&format!("RCPT TO:<{}>", m.to), '2').await?;
            c.send("DATA", '3').await?;
            c.w.write_all(render(&smtp.from, m).as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            c.send(".", '2').await?;
            sent += 1;
        }
        let _ = c.send("QUIT", '2').await;
        Ok::<usize, String>(sent)
    };
    tokio::time::timeout(Duration::from_secs(60), talk)
        .await
        .map_err(|_| "SMTP conversation timed out".to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[test]
    fn base64_and_urls() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64("提案".as_bytes()), "5o+Q5qGI");
        let s = Smtp::parse("smtp://mail%40x:p%3Ass@relay.local:2525", "a@b").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("relay.local", 2525));
        assert_eq!(s.user, Some(("mail@x".into(), "p:ss".into())));
        assert_eq!(Smtp::parse("smtp://relay", "a@b").unwrap().port, 25);
        assert!(Smtp::parse("http://relay", "a@b").is_err());
    }

    /// A relay that accepts everything and hands back what it received.
    async fn fake_relay() -> (u16, tokio::task::JoinHandle<String>) {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let h = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"220 fake\r\n").await.unwrap();
            let mut seen = String::new();
            let mut buf = [0u8; 4096];
            let mut in_data = false;
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                let chunk = String::from_utf8_lossy(&buf[..n]).to_string();
                seen.push_str(&chunk);
                for line in chunk.split_inclusive("\r\n") {
                    let reply: &[u8] = if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            b"250 queued\r\n"
                        } else {
                            continue;
                        }
                    } else if line.starts_with("EHLO") {
                        b"250-fake\r\n250 AUTH PLAIN\r\n"
                    } else if line.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if line.starts_with("QUIT") {
                        b"221 bye\r\n"
                    } else {
                        b"250 ok\r\n"
                    };
                    s.write_all(reply).await.unwrap();
                }
                if seen.contains("QUIT\r\n") {
                    break;
                }
            }
            seen
        });
        (port, h)
    }

    #[tokio::test]
    async fn sends_through_a_relay_with_utf8_subject_and_body() {
        let (port, relay) = fake_relay().await;
        let smtp = Smtp::parse(
            &format!("smtp://u:p@127.0.0.1:{port}"),
            "xieshang@example.org",
        )
        .unwrap();
        let m = Message {
            to: "unit@example.org".into(),
            subject: "提案办理即将到期".into(),
            text: "关于加快养老服务体系建设的建议\n.\n请及时答复。".into(),
        };
        assert_eq!(send(&smtp, &[m.clone(), m]).await, Ok(2));
        let seen = relay.await.unwrap();
        assert!(seen.contains(&format!("AUTH PLAIN {}", base64(b"\0u\0p"))));
        assert_eq!(seen.matches("RCPT TO:<unit@example.org>").count(), 2);
        assert!(seen.contains(&format!(
            "Subject: =?UTF-8?B?{}?=",
            base64("提案办理即将到期".as_bytes())
        )));
        assert!(
            seen.contains(
                &base64("关于加快养老服务体系建设的建议\n.\n请及时答复。".as_bytes())[..40]
            )
        );
    }

    #[tokio::test]
    async fn a_refusing_relay_is_an_error() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            s.write_all(b"554 go away\r\n").await.unwrap();
        });
        let smtp = Smtp::parse(&format!("smtp://127.0.0.1:{port}"), "a@b").unwrap();
        let m = Message {
            to: "x@y".into(),
            subject: "s".into(),
            text: "t".into(),
        };
        assert_eq!(send(&smtp, &[m]).await, Err("SMTP: 554 go away".into()));
    }
}
