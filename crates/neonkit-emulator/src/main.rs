//! `neonkit-emulator --port 4010 --api-key KEY [...]`: serves until killed and prints
//! the base URL as the first line of stdout.

use neonkit_emulator::{Emulator, EmulatorConfig, OptionNames, PostgresConfig};
use std::io::Write;
use std::time::Duration;

const USAGE: &str = "usage: neonkit-emulator [--port N] [--api-key KEY] [--operation-duration-ms N] [--no-locking] \
[--rate-limits] [--latency-ms N] [--idle-timeout-ms N] [--rate-429 F] [--rate-500 F] [--rate-503 F] [--drop-rate F] [--truncate-rate F] [--seed N] [--postgres] [--postgres-url URL] [--postgres-bin DIR] [--no-pooler] [--state FILE]";

fn parse(args: &[String]) -> Result<EmulatorConfig, String> {
    let mut c = EmulatorConfig { option_names: OptionNames::Flags, ..Default::default() };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (flag, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{flag} needs a value"))
        };
        fn num<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{flag}: invalid value {v:?}"))
        }
        match flag {
            "--port" => c.port = num(flag, value()?)?,
            "--api-key" => c.api_key = Some(value()?),
            "--operation-duration-ms" => c.operation_duration = Duration::from_millis(num(flag, value()?)?),
            "--no-locking" => c.locking = false,
            "--rate-limits" => c.rate_limits = true,
            "--latency-ms" => c.latency = Duration::from_millis(num(flag, value()?)?),
            "--idle-timeout-ms" => c.idle_timeout = Some(Duration::from_millis(num(flag, value()?)?)),
            "--rate-429" => c.fault_rates.status_429 = num(flag, value()?)?,
            "--rate-500" => c.fault_rates.status_500 = num(flag, value()?)?,
            "--rate-503" => c.fault_rates.status_503 = num(flag, value()?)?,
            "--drop-rate" => c.fault_rates.drop_connection = num(flag, value()?)?,
            "--truncate-rate" => c.fault_rates.truncate_body = num(flag, value()?)?,
            "--seed" => c.seed = Some(num(flag, value()?)?),
            "--postgres" => {
                c.postgres.get_or_insert_with(PostgresConfig::default);
            }
            "--postgres-url" => c.postgres.get_or_insert_with(PostgresConfig::default).url = Some(value()?),
            "--no-pooler" => c.postgres.get_or_insert_with(PostgresConfig::default).no_pooler = true,
            "--postgres-bin" => c.postgres.get_or_insert_with(PostgresConfig::default).bin_dir = Some(value()?.into()),
            "--state" => c.state_file = Some(value()?.into()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
        i += 1;
    }
    Ok(c)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                return;
            }
            eprintln!("neonkit-emulator: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let state_file = config.state_file.clone();
    rt.block_on(async move {
        let emu = match Emulator::start(config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("neonkit-emulator: cannot start: {e}");
                std::process::exit(1);
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", emu.base_url());
        let _ = out.flush();
        drop(out);
        eprintln!(
            "neonkit-emulator: API key {:?}; admin API at {}",
            emu.api_key(),
            emu.base_url().trim_end_matches("/api/v2").to_string() + "/_emulator"
        );
        if let Some(file) = &state_file {
            eprintln!("neonkit-emulator: state kept in {}", file.display());
        }
        if let Some((host, port)) = emu.postgres_addr() {
            eprintln!("neonkit-emulator: PostgreSQL at {host}:{port} (connection URIs point there, sslmode=disable)");
        }
        // serve until interrupted or terminated, then stop (and remove the cluster)
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
        }
        emu.stop().await;
    });
}
