//! A minimal axum "hello" server: the ceiling the load test measures
//! Xieshang against, built with the same axum, tokio and release profile.
//! Usage: hello [ADDR] (default 127.0.0.1:8081).

// The same allocator as the server, so that the ceiling is measured alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("hello is serving on http://{addr}");
    axum::serve(listener, app).await
}
