//! The command line, run as a real process: help, migrate, demo, user add,
//! audit verify (also of a tampered database), and a backup of a live server.
//! These always use SQLite files of their own; the backend-agnostic rules are
//! tested through HTTP in the `tests` package on both backends.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test: a panic is the test failing"
)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_xieshang");

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xieshang-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("XIESHANG_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec![],
        vec!["serve"],
        vec!["migrate"],
        vec!["demo"],
        vec!["user", "add"],
        vec!["audit", "verify"],
        vec!["backup"],
        vec!["deliberation", "analyze"],
    ] {
        let mut args = cmd.clone();
        args.push("--help");
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert!(o.status.success(), "{args:?}");
        let t = text(&o);
        assert!(t.contains("Usage: xieshang"), "{args:?}: {t}");
    }
    let serve = text(
        &Command::new(BIN)
            .args(["serve", "--help"])
            .output()
            .unwrap(),
    );
    for flag in [
        "--listen",
        "--database-url",
        "--data-dir",
        "--demo",
        "--demo-password",
        "XIESHANG_DATABASE_URL",
    ] {
        assert!(serve.contains(flag), "serve --help names {flag}");
    }
}

#[test]
fn migrate_demo_user_add_and_audit_verify_including_a_tampered_trail() {
    let dir = temp_dir("cmds");
    let o = run(&dir, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("0001_platform"));
    // The five years of history are tested through the store (tests/demo.rs).
    let o = run(
        &dir,
        &[
            "demo",
            "--demo-password",
            "demo password",
            "--demo-history",
            "0",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("600 members"), "{}", text(&o));
    let o = run(&dir, &["demo", "--demo-password", "demo password"]);
    assert!(text(&o).contains("already holds data"));
    let o = run(
        &dir,
        &[
            "user",
            "add",
            "clerk",
            "--name",
            "书记员",
            "--password",
            "clerk password",
            "--role",
            "staff",
            "--office",
            "proposals",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &dir,
        &[
            "user",
            "add",
            "clerk",
            "--name",
            "又一个",
            "--password",
            "clerk password",
        ],
    );
    assert!(!o.status.success(), "a taken user name fails");
    let o = run(
        &dir,
        &["user", "add", "weak", "--name", "弱", "--password", "123"],
    );
    assert!(
        !o.status.success() && text(&o).contains("password"),
        "{}",
        text(&o)
    );
    let o = run(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("audit trail intact"));

    // Edit one event behind the application's back.
    let db = dir.join("xieshang.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("UPDATE events SET actor = 'mallory' WHERE id = 42")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let o = run(&dir, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("BROKEN at event 42"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_backup_of_a_live_server_restores_and_matches() {
    let dir = temp_dir("backup");
    // Port 0: the server binds a port no one else holds, and says which on
    // its first line of output, printed once the demo is seeded. Polling a
    // port picked beforehand raced other tests' servers (and the demo's own
    // seeding) when the whole workspace ran at once.
    let mut server = Command::new(BIN)
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "serve",
            "--demo",
            "--demo-password",
            "demo password",
            "--demo-history",
            "0",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("XIESHANG_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The demo's summary comes first; the serving line follows it. A thread
    // keeps reading after it, so later output never meets a closed pipe.
    let stdout = std::io::BufReader::new(server.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(stdout).map_while(Result::ok) {
            if line.starts_with("Xieshang is serving on http://127.0.0.1:") {
                let _ = tx.send(line);
            }
        }
    });
    if rx.recv_timeout(std::time::Duration::from_secs(60)).is_err() {
        let _ = server.kill();
        let out = server.wait_with_output().unwrap();
        panic!(
            "the server did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let copy = dir.join("copy.db");
    let o = run(&dir, &["backup", copy.to_str().unwrap()]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(o.status.success(), "{}", text(&o));
    // Restore: the copy is a database the server opens, with the same records.
    let url = format!("sqlite://{}", copy.display());
    let o = Command::new(BIN)
        .args(["--database-url", &url, "audit", "verify"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let count = |path: PathBuf| async move {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            let n: (i64, i64, i64) = sqlx::query_as("SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM events)")
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        };
        let original = count(dir.join("xieshang.db")).await;
        assert_eq!(original.0, 600);
        assert_eq!(count(copy.clone()).await, original);
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deliberation_analyze_writes_groups_repness_and_consensus() {
    let dir = temp_dir("deliberation");
    let conv = dir.join("conv");
    std::fs::create_dir_all(&conv).unwrap();
    // Two camps of twelve on statements 0–3; everyone agrees with 4; 5 is
    // moderated out; participant 99 votes twice only.
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    let mut t = 0;
    for p in 0..24 {
        let side = if p < 12 { 1 } else { -1 };
        for c in 0..4 {
            t += 1;
            let v = if c % 2 == 0 { side } else { -side };
            votes.push_str(&format!("{t},,{c},{p},{v}\n"));
        }
        t += 1;
        votes.push_str(&format!("{t},,4,{p},1\n{},,5,{p},1\n", t + 1));
        t += 1;
    }
    votes.push_str("999,,0,99,1\n1000,,1,99,-1\n");
    std::fs::write(conv.join("votes.csv"), votes).unwrap();
    let mut comments = String::from(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n",
    );
    for c in 0..6 {
        let m = if c == 5 { -1 } else { 1 };
        comments.push_str(&format!("1,,{c},0,0,0,{m},\"意见{c}, 含逗号\"\n"));
    }
    std::fs::write(conv.join("comments.csv"), comments).unwrap();
    // The folder analysed into `out`, with any further arguments.
    let analyze = |out: &std::path::Path, more: &[&str]| {
        Command::new(BIN)
            .args(["deliberation", "analyze"])
            .arg(&conv)
            .arg("--out")
            .arg(out)
            .args(more)
            .output()
            .unwrap()
    };
    let out = dir.join("out");
    let o = analyze(&out, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("2 groups"), "{}", text(&o));
    let groups = std::fs::read_to_string(out.join("groups.csv")).unwrap();
    let lines: Vec<&str> = groups.lines().collect();
    assert_eq!(lines[0], "participant,group");
    let group_of = |p: &str| {
        lines
            .iter()
            .find(|l| l.split(',').next() == Some(p))
            .map(|l| l.split(',').nth(1).unwrap_or("").to_string())
            .unwrap()
    };
    assert_eq!(group_of("0"), group_of("11"));
    assert_ne!(group_of("0"), group_of("12"));
    assert_eq!(group_of("99"), "", "too few votes to be clustered");
    let repness = std::fs::read_to_string(out.join("repness.csv")).unwrap();
    assert!(repness.starts_with("group,rank,statement,direction"));
    assert!(
        !repness.lines().any(|l| l.split(',').nth(2) == Some("5")),
        "moderated out"
    );
    let consensus = std::fs::read_to_string(out.join("consensus.csv")).unwrap();
    assert_eq!(
        consensus.lines().nth(1).and_then(|l| l.split(',').nth(1)),
        Some("4")
    );
    // Groups drawn from the votes find the same two camps.
    let by_votes = dir.join("by-votes");
    let o = analyze(&by_votes, &["--grouping", "votes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("2 groups"), "{}", text(&o));
    let votes_groups = std::fs::read_to_string(by_votes.join("groups.csv")).unwrap();
    assert_eq!(votes_groups, groups, "{votes_groups}");
    // A grouping that is neither is refused before anything is read.
    let o = analyze(&dir.join("never"), &["--grouping", "sideways"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("map or votes"), "{}", text(&o));
    assert!(!dir.join("never").exists());
    // A missing folder is a clear error.
    let o = Command::new(BIN)
        .args(["deliberation", "analyze", "/nonexistent-xs", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(text(&o).contains("votes.csv"), "{}", text(&o));
}
