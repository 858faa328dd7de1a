//! The `xieshang` binary: command line, configuration, wiring and background jobs.

mod deliberation;
mod mail;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use store::platform::jobs;
use store::{Caller, Db};

#[derive(Parser)]
#[command(
    name = "xieshang",
    version,
    about = "Xieshang (协商): the platform of a political consultative committee"
)]
struct Cli {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: sqlite://<data-dir>/xieshang.db)
    #[arg(long, env = "XIESHANG_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Folder for the SQLite database and other data
    #[arg(long, env = "XIESHANG_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first)
    Serve {
        /// Address to listen on
        #[arg(long, env = "XIESHANG_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Fill an empty database with demo data
        #[arg(long, env = "XIESHANG_DEMO")]
        demo: bool,
        /// Password of the demo accounts (random and printed when not given)
        #[arg(long, env = "XIESHANG_DEMO_PASSWORD")]
        demo_password: Option<String>,
        /// Proposals a year in the demo's five years of history (0: only the current forty)
        #[arg(long, env = "XIESHANG_DEMO_HISTORY", default_value_t = store::demo::HISTORY_PER_YEAR)]
        demo_history: usize,
        /// The public https URL, if any: cookies are then marked Secure
        #[arg(long, env = "XIESHANG_PUBLIC_URL")]
        public_url: Option<String>,
        /// Trust X-Forwarded-For for client addresses (only behind a proxy you run)
        #[arg(long, env = "XIESHANG_TRUST_PROXY")]
        trust_proxy: bool,
        /// Largest request body in bytes
        #[arg(long, env = "XIESHANG_BODY_LIMIT", default_value_t = 1024 * 1024)]
        body_limit: usize,
        /// SMTP relay for e-mailing notifications: smtp://[user:password@]host[:port] (plain SMTP; a local relay does TLS)
        #[arg(long, env = "XIESHANG_SMTP_URL")]
        smtp_url: Option<String>,
        /// Sender address of notification e-mail
        #[arg(long, env = "XIESHANG_MAIL_FROM", default_value = "xieshang@localhost")]
        mail_from: String,
    },
    /// Apply the schema migrations and exit
    Migrate,
    /// Fill an empty database with demo data and exit
    Demo {
        /// Password of the demo accounts (random and printed when not given)
        #[arg(long, env = "XIESHANG_DEMO_PASSWORD")]
        demo_password: Option<String>,
        /// Proposals a year in the demo's five years of history (0: only the current forty)
        #[arg(long, env = "XIESHANG_DEMO_HISTORY", default_value_t = store::demo::HISTORY_PER_YEAR)]
        demo_history: usize,
        /// Seed of the generator
        #[arg(long, default_value_t = store::demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit trail
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of a live SQLite database to PATH (for PostgreSQL use pg_dump)
    Backup {
        /// Where to write the copy; must not exist
        path: PathBuf,
    },
    /// Online deliberation: the consensus engine on a conversation's files
    Deliberation {
        #[command(subcommand)]
        command: DeliberationCommand,
    },
}

#[derive(Subcommand)]
enum DeliberationCommand {
    /// Find the opinion groups, representative statements and consensus of a
    /// conversation in Pol.is openData form (DIR/votes.csv, DIR/comments.csv);
    /// writes OUT/groups.csv, OUT/repness.csv and OUT/consensus.csv
    Analyze {
        /// The conversation's folder
        dir: PathBuf,
        /// Where to write the results (created if missing)
        #[arg(long)]
        out: PathBuf,
        /// How to draw the groups: `map` (as Pol.is does) or `votes`
        /// (refined on the votes themselves)
        #[arg(long, default_value = "map")]
        grouping: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with a role in a committee
    Add {
        /// User name (3 to 32 letters, digits, . _ -)
        username: String,
        /// Display name
        #[arg(long)]
        name: String,
        /// Password (or XIESHANG_PASSWORD)
        #[arg(long, env = "XIESHANG_PASSWORD")]
        password: String,
        /// Committee id the account belongs to (default: the root committee)
        #[arg(long)]
        committee: Option<i64>,
        /// Role to grant: admin, staff, member, unit_officer, leader, citizen
        #[arg(long, default_value = "admin")]
        role: String,
        /// Offices for staff: proposals, information, consultation, liaison (repeatable)
        #[arg(long)]
        office: Vec<String>,
        /// Handling unit id for unit officers
        #[arg(long)]
        unit: Option<i64>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits non-zero naming the first broken event
    Verify,
}

fn database_url(cli: &Cli) -> Result<String> {
    if let Some(u) = &cli.database_url {
        return Ok(u.clone());
    }
    std::fs::create_dir_all(&cli.data_dir)
        .with_context(|| format!("creating {}", cli.data_dir.display()))?;
    Ok(format!("sqlite://{}/xieshang.db", cli.data_dir.display()))
}

async fn open(cli: &Cli) -> Result<Db> {
    let url = database_url(cli)?;
    let db = Db::connect(&url)
        .await
        .with_context(|| "connecting to the database")?;
    let applied = store::migrate::run(&db).await.context("migrating")?;
    for m in applied {
        tracing::info!(migration = m, "applied");
    }
    Ok(db)
}

fn random_password() -> Result<String> {
    Ok(store::ids::new_token()?[..16].to_string())
}

async fn seed_demo(db: &Db, password: Option<String>, seed: u64, per_year: usize) -> Result<()> {
    let (password, shown) = match password {
        Some(p) => (p, false),
        None => (random_password()?, true),
    };
    let started = std::time::Instant::now();
    match store::demo::seed_sized(db, seed, &password, per_year).await? {
        Some(s) => {
            println!(
                "demo data: {} committees, {} sectors, {} special committees, {} parties, {} handling units, {} members, {} accounts, {} proposals, {} public-opinion pieces, {} consultations ({:.1} s)",
                s.committees,
                s.sectors,
                s.special_committees,
                s.parties,
                s.units,
                s.members,
                s.users,
                s.proposals,
                s.opinions,
                s.consultations,
                started.elapsed().as_secs_f64()
            );
            println!(
                "log in as admin, staff, member, member2, unit, leader or citizen with password: {}",
                if shown {
                    password.as_str()
                } else {
                    "(the one given)"
                }
            );
        }
        None => println!("the database already holds data; demo data not added"),
    }
    Ok(())
}

/// This server's search index, on disk under the data folder; in memory (and
/// rebuilt from the database) when the folder cannot hold it, for example when
/// another server on this machine already uses it.
fn open_search(dir: &std::path::Path) -> Result<search::Search> {
    Ok(match search::ProposalIndex::open(dir) {
        Ok(index) => search::Search::new(index),
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "search index kept in memory");
            search::Search::new(search::ProposalIndex::in_ram()?)
        }
    })
}

/// Keeps the search index current with the event log, also for changes made
/// by other servers; searches sync as well, so this only keeps them quick.
fn spawn_search_sync(db: Db, search: search::Search) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            match search.sync(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(changed = n, "search index synced"),
                Err(e) => tracing::warn!(error = %e, "search index sync failed"),
            }
        }
    });
}

/// Keeps the results of online deliberations current: every two seconds a
/// read-only look for deliberations whose votes moved on; only when there
/// is work does a server claim it (so that several servers do not compute
/// the same results), close what is due and recompute.
fn spawn_deliberation_results(db: Db) {
    let holder = format!(
        "{}-{}",
        std::process::id(),
        store::ids::new_token()
            .map(|t| t[..8].to_owned())
            .unwrap_or_default()
    );
    const JOB: &str = "deliberation-results";
    const LEASE: i64 = 30_000_000;
    tokio::spawn(async move {
        use store::deliberation_results as results;
        // The votes and stored places of the deliberations this server
        // computed, kept between runs so that an update reads only the votes
        // cast since and writes only the places that changed.
        let mut kept = store::deliberation_results::Kept::default();
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let due = match store::deliberations::due_to_close(&db).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "deliberations: reading failed");
                    continue;
                }
            };
            let behind = match results::stale(&db).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "deliberation results: reading failed");
                    continue;
                }
            };
            // The lease stays with this server while it has work at least
            // every 30 s, so that what it keeps in memory (`kept`) serves the
            // next run; another server takes over once it lapses.
            if (due == 0 && behind.is_empty())
                || !jobs::hold(&db, JOB, &holder, LEASE).await.unwrap_or(false)
            {
                continue;
            }
            let run = async {
                results::close_due(&db).await?;
                // Closing moved versions on: look again.
                let behind = results::stale(&db).await?;
                results::recompute_all(&db, &behind, &mut kept).await
            };
            // A first run of a large deliberation can outlast the lease.
            let run = jobs::while_held(&db, JOB, &holder, LEASE, Duration::from_secs(10), run);
            match run.await {
                Ok(n) => tracing::debug!(recomputed = n, "deliberation results"),
                Err(e) => tracing::warn!(error = %e, "deliberation results failed"),
            }
        }
    });
}

/// Runs the housekeeping job every minute in whichever server wins the lease.
fn spawn_jobs(db: Db, smtp: Option<mail::Smtp>, public_url: Option<String>) {
    let holder = format!(
        "{}-{}",
        std::process::id(),
        store::ids::new_token()
            .map(|t| t[..8].to_owned())
            .unwrap_or_default()
    );
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        let mut minutes: u64 = 0;
        loop {
            tick.tick().await;
            // Each job runs in the one server that wins its lease.
            if claim(&db, "housekeeping", &holder).await {
                match jobs::housekeeping(&db).await {
                    Ok(n) => tracing::debug!(removed = n, "housekeeping"),
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
            }
            if minutes.is_multiple_of(10) && claim(&db, "proposal-deadlines", &holder).await {
                match store::deadlines::run(&db).await {
                    Ok(n) => tracing::info!(?n, "proposal deadlines"),
                    Err(e) => tracing::warn!(error = %e, "proposal deadlines failed"),
                }
            }
            if let Some(smtp) = &smtp
                && claim(&db, "mail", &holder).await
            {
                send_mail(&db, smtp, public_url.as_deref()).await;
            }
            minutes += 1;
        }
    });
}

async fn claim(db: &Db, job: &str, holder: &str) -> bool {
    match jobs::try_claim(db, job, holder, 55_000_000).await {
        Ok(won) => won,
        Err(e) => {
            tracing::warn!(error = %e, job, "job lease failed");
            false
        }
    }
}

/// E-mails the notifications not yet sent, in the addressee's language.
async fn send_mail(db: &Db, smtp: &mail::Smtp, public_url: Option<&str>) {
    let pending = match store::notifications::unsent_mail(db, 200).await {
        Ok(p) => p,
        Err(e) => return tracing::warn!(error = %e, "reading mail failed"),
    };
    if pending.is_empty() {
        return;
    }
    let messages: Vec<mail::Message> = pending
        .iter()
        .map(|n| {
            let t = web::i18n::Tr {
                lang: match n.lang.as_deref() {
                    Some("en") => web::i18n::Lang::En,
                    _ => web::i18n::Lang::ZhCn,
                },
            };
            let what = t.code("notification", &n.kind);
            let link = match public_url {
                Some(base) => format!(
                    "\n\n{}/{}s/{}",
                    base.trim_end_matches('/'),
                    n.record_type,
                    n.record_id
                ),
                None => String::new(),
            };
            mail::Message {
                to: n.email.clone(),
                subject: format!("{what}：{}", n.title),
                text: format!("{what}\n\n{}{link}", n.title),
            }
        })
        .collect();
    match mail::send(smtp, &messages).await {
        Ok(sent) => {
            let ids: Vec<i64> = pending.iter().take(sent).map(|n| n.id).collect();
            if let Err(e) = store::notifications::mark_emailed(db, &ids).await {
                tracing::warn!(error = %e, "recording sent mail failed");
            }
        }
        Err(e) => tracing::warn!(error = %e, "sending mail failed"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// mimalloc instead of glibc's malloc: page requests allocate many small
/// strings, and glibc's allocator spent a quarter of their time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve {
            listen,
            demo,
            demo_password,
            demo_history,
            public_url,
            trust_proxy,
            body_limit,
            smtp_url,
            mail_from,
        } => {
            let db = open(&cli).await?;
            if *demo {
                seed_demo(
                    &db,
                    demo_password.clone(),
                    store::demo::DEFAULT_SEED,
                    *demo_history,
                )
                .await?;
            }
            let smtp = smtp_url
                .as_deref()
                .map(|u| mail::Smtp::parse(u, mail_from))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            spawn_jobs(db.clone(), smtp, public_url.clone());
            let search = open_search(&cli.data_dir.join("search"))?;
            spawn_search_sync(db.clone(), search.clone());
            spawn_deliberation_results(db.clone());
            let settings = web::state::Settings {
                body_limit: *body_limit,
                upload_limit: domain::files::MAX_FILE + 256 * 1024,
                secure_cookies: public_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://")),
                trust_proxy: *trust_proxy,
            };
            let app = web::router(web::state::AppState {
                db: db.clone(),
                settings,
                search,
            });
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            // The bound address, not the asked one: with port 0 the system
            // picks it, and scripts and tests read it from this line, which
            // also says the demo (seeded above) is complete.
            let bound = listener.local_addr().context("reading the bound address")?;
            println!("Xieshang is serving on http://{bound}");
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown_signal())
            .await?;
            db.close().await;
        }
        Command::Migrate => {
            let db = open(&cli).await?;
            println!(
                "migrations applied: {}",
                store::migrate::applied(&db).await?.join(", ")
            );
        }
        Command::Demo {
            demo_password,
            demo_history,
            seed,
        } => {
            let db = open(&cli).await?;
            seed_demo(&db, demo_password.clone(), *seed, *demo_history).await?;
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    name,
                    password,
                    committee,
                    role,
                    office,
                    unit,
                },
        } => {
            let db = open(&cli).await?;
            let committee_id = match committee {
                Some(c) => *c,
                None => store::platform::committees::all_with_scopes(&db)
                    .await?
                    .first()
                    .map(|(c, _)| c.id)
                    .context("no committee yet: run `xieshang demo` or create one first")?,
            };
            let sys = Caller::system();
            let input = domain::platform::NewUserInput {
                username: username.clone(),
                display_name: name.clone(),
                password: password.clone(),
                committee_id,
                email: None,
            };
            let user = match store::platform::users::create(&db, &sys, &input).await {
                Ok(u) => u,
                Err(store::StoreError::Invalid(e)) => bail!("invalid: {e:?}"),
                Err(e) => return Err(e.into()),
            };
            let grant = domain::platform::GrantInput {
                role: role.clone(),
                committee_id,
                unit_id: *unit,
                offices: office.clone(),
            };
            match store::platform::users::grant(&db, &sys, user.id, &grant, None).await {
                Ok(_) => println!(
                    "created {} (id {}) as {} in committee {}",
                    user.username, user.id, role, committee_id
                ),
                Err(store::StoreError::Invalid(e)) => {
                    bail!("account created but role not granted: {e:?}")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = open(&cli).await?;
            match store::audit::verify(&db).await? {
                store::audit::Verdict::Intact { events, head } => {
                    println!("audit trail intact: {events} events, head {head}")
                }
                store::audit::Verdict::Broken { event_id, reason } => {
                    eprintln!("audit trail BROKEN at event {event_id}: {reason}");
                    std::process::exit(1);
                }
            }
        }
        Command::Backup { path } => {
            let db = open(&cli).await?;
            store::backup::sqlite_copy(&db, path).await?;
            println!("backup written to {}", path.display());
        }
        Command::Deliberation {
            command: DeliberationCommand::Analyze { dir, out, grouping },
        } => deliberation::analyze(dir, out, grouping)?,
    }
    Ok(())
}
