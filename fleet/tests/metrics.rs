//! The Prometheus endpoint, scraped over HTTP, serves every metric the crate names (with the
//! values recorded, including by a worker proving through a real queue), and every panel of the
//! Grafana dashboard queries only metrics the endpoint really serves.

mod support;

use provernet_fleet::{
    WorkerConfig,
    metrics::{self, Counter, Gauge, Histogram, PenaltyCause},
};
use std::{
    collections::BTreeSet,
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
};
use support::*;

const DASHBOARD: &str = include_str!("../grafana/provernet.json");

fn scrape(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).expect("metrics endpoint accepts connections");
    // HTTP/1.0: the body comes unchunked and the server closes the connection after it.
    stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_owned()
}

/// Names of the series in a scrape (`name{labels} value` or `name value`).
fn series_names(body: &str) -> BTreeSet<String> {
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap().to_owned())
        .collect()
}

/// Every `provernet_*` identifier in the panel queries, per panel title.
fn dashboard_queries() -> Vec<(String, Vec<String>)> {
    let json: serde_json::Value = serde_json::from_str(DASHBOARD).expect("dashboard is JSON");
    let panels = json["panels"].as_array().expect("dashboard has panels");
    assert!(!panels.is_empty());
    panels
        .iter()
        .filter(|p| p["type"] != "row") // section headers, no queries
        .map(|p| {
            let title = p["title"].as_str().expect("panel title").to_owned();
            let targets = p["targets"].as_array().unwrap_or_else(|| panic!("{title}: no targets"));
            let mut names = Vec::new();
            for t in targets {
                let expr =
                    t["expr"].as_str().unwrap_or_else(|| panic!("{title}: target without expr"));
                for (i, _) in expr.match_indices("provernet_") {
                    let name: String = expr[i..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                }
            }
            assert!(!names.is_empty(), "panel {title:?} queries no provernet metric");
            (title, names)
        })
        .collect()
}

fn value_of(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("series {series} not in the scrape:\n{body}"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_serves_every_metric_and_every_dashboard_panel_queries_one_it_serves() {
    let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let exporter = metrics::serve(addr).expect("exporter starts");
    assert_eq!(exporter.addr(), addr);
    assert!(
        metrics::serve(addr).unwrap_err().to_string().contains("choose a free --metrics-addr"),
        "a second exporter is refused with advice"
    );

    // Agent-side events, recorded as the CLI will.
    Counter::Commits.increment(2);
    metrics::penalty(PenaltyCause::NonReveal, 20.0);
    Gauge::Stake.set(1500.0);
    // Worker-side events, through a real queue.
    let server = start_server();
    let queue = connect(&server).await;
    let w = spawn_worker(&queue, tagged_prover("W"), WorkerConfig::named("W"));
    let (id, _) = queue.enqueue(job(1, 1, 1_000)).await.unwrap();
    result(&queue, &id).await;
    w.stop().await;
    queue.depth().await.unwrap();

    let body = tokio::task::spawn_blocking(move || scrape(addr)).await.unwrap();
    let served = series_names(&body);
    for name in metrics::all_names() {
        let histogram = Histogram::ALL.iter().any(|h| h.spec().0 == name);
        let series = if histogram { format!("{name}_bucket") } else { name.to_owned() };
        assert!(served.contains(&series), "{series} is not served:\n{body}");
    }
    assert_eq!(value_of(&body, "provernet_commits_total"), 2.0);
    assert_eq!(value_of(&body, "provernet_penalties_total{cause=\"non_reveal\"}"), 1.0);
    assert_eq!(value_of(&body, "provernet_penalised_tokens{cause=\"non_reveal\"}"), 20.0);
    assert_eq!(value_of(&body, "provernet_penalties_total{cause=\"missed_proof\"}"), 0.0);
    assert_eq!(value_of(&body, "provernet_stake_tokens"), 1500.0);
    assert_eq!(value_of(&body, "provernet_proofs_total"), 1.0);
    assert_eq!(value_of(&body, "provernet_jobs_enqueued_total"), 1.0);
    assert_eq!(value_of(&body, "provernet_proving_seconds_count"), 1.0);
    assert_eq!(value_of(&body, "provernet_job_wait_seconds_count"), 1.0);

    let mut used = BTreeSet::new();
    for (title, names) in dashboard_queries() {
        for name in names {
            assert!(served.contains(&name), "panel {title:?} queries {name}, which is not served");
            used.insert(name);
        }
    }
    // And the dashboard shows every metric (a histogram through any of its series).
    for name in metrics::all_names() {
        assert!(
            used.iter()
                .any(|u| u == name || u.strip_prefix(name).is_some_and(|s| s.starts_with('_'))),
            "no dashboard panel shows {name}"
        );
    }
}
