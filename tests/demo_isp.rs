//! The demo ISP in the real app: offered on a first Dashboard, it opens in
//! a process of its own on a throwaway data directory; inside, every page
//! has something real to show; leaving it deletes its data.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use headend_e2e::{Driver, Sandbox, click, eventually, find, one_app_at_a_time, screenshots, wait_for_text};

/// The demo ISP processes the app at `parent` started.
fn demo_children(parent: u32) -> Vec<u32> {
    headend_e2e::pids_where(|proc, cmdline| {
        let ppid = std::fs::read_to_string(proc.join("stat"))
            .ok()
            .and_then(|stat| stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse::<u32>().ok());
        ppid == Some(parent) && cmdline.split(|b| *b == 0).any(|arg| arg == b"--demo-isp")
    })
}

/// Waits for `path` to be gone.
async fn wait_deleted(path: &std::path::Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while path.exists() {
        if Instant::now() > deadline {
            bail!("{} is still there", path.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Waits until the demo in `dir` has its console on screen (its log says so).
async fn demo_ready(dir: &std::path::Path) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let logged = || {
        std::fs::read_dir(dir.join("logs"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|log| std::fs::read_to_string(log.path()).is_ok_and(|text| text.contains("console interactive")))
    };
    while !logged() {
        if Instant::now() > deadline {
            bail!("the demo in {} did not come up", dir.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run by cargo xtask test"]
async fn the_demo_isp_opens_beside_the_operators_data_and_leaves_nothing() -> anyhow::Result<()> {
    let _one = one_app_at_a_time().await;
    let sandbox = Sandbox::new()?;
    let driver = Driver::start(&sandbox)?;

    // A first start: the Dashboard offers the demo.
    let app = driver.launch().await?;
    wait_for_text(&app, "#getting-started", "Explore a demo ISP").await?;
    screenshots(&app, "getting-started").await?;
    click(&app, "#explore-demo-isp").await?;
    wait_for_text(&app, "#demo-opening", "its own window").await?;
    let operator_app = headend_e2e::app_pids(&sandbox.data_dir()).first().copied().context("the app's process")?;
    eventually("the demo ISP started as a process of its own", || !demo_children(operator_app).is_empty()).await?;
    let demo = demo_children(operator_app)[0];
    let demo_dir = std::env::temp_dir().join(format!("headend-demo-isp-{demo}"));
    demo_ready(&demo_dir).await?;
    // Ended as the tray's Quit ends it: its data directory goes with it.
    std::process::Command::new("kill").args(["-TERM", &demo.to_string()]).status()?;
    wait_deleted(&demo_dir).await?;
    assert!(!sandbox.data_dir().join("headend-demo-isp").exists());
    driver.quit(app).await?;

    // Inside a demo (its throwaway directory inside the sandbox's).
    let app = driver.launch_with(&["--demo-isp"]).await?;
    let demo_dir: PathBuf = std::fs::read_dir(sandbox.data_dir())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("headend-demo-isp-")))
        .context("the demo's own data directory")?;
    wait_for_text(&app, "#demo-banner", "Leave the demo").await?;
    let said = app.execute("return document.querySelector('#demo-banner').textContent", vec![]).await?;
    assert!(said.as_str().is_some_and(|s| s.contains("nothing here is real")), "{said}");
    wait_for_text(&app, "#health-routers", "3 up").await?;
    wait_for_text(&app, "#stat-customers", "300").await?;
    // Sessions fill in as the engine writes the secrets to the routers.
    let online = || async {
        let text = find(&app, "#online-now").await?.text().await?;
        anyhow::Ok(text.chars().filter(char::is_ascii_digit).collect::<String>().parse::<u32>().unwrap_or(0))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while online().await? < 100 {
        anyhow::ensure!(Instant::now() < deadline, "the demo's customers did not come online");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    screenshots(&app, "demo-dashboard").await?;

    click(&app, "#nav-sessions").await?;
    wait_for_text(&app, "#session-count", "sessions").await?;
    assert!(!app.find_all(fantoccini::Locator::Css("#sessions-list .session-row")).await?.is_empty());
    click(&app, "#nav-customers").await?;
    wait_for_text(&app, "#page-title", "Customers").await?;
    wait_for_text(&app, "#service-count", "of 300").await?;
    click(&app, "#nav-map").await?;
    wait_for_text(&app, "#page-title", "Map").await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    screenshots(&app, "demo-map").await?;
    click(&app, "#nav-olts").await?;
    wait_for_text(&app, "#olts-table", "olt-1").await?;
    screenshots(&app, "demo-olts").await?;

    // Leaving ends the process and deletes the demo's data.
    // The click ends the session with the app: its answer may be lost.
    let _ = find(&app, "#leave-demo").await?.click().await;
    eventually("the demo app ended", || !driver.app_running()).await?;
    wait_deleted(&demo_dir).await?;
    let _ = app.close().await;
    Ok(())
}
