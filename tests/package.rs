//! The `.deb` from `cargo xtask bundle`: it installs with its declared
//! dependencies, and the installed app and CLI start.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use headend_e2e::{app_running, env_path};

fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("starting {cmd:?}"))?;
    ensure!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    run(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

fn installed(package: &str) -> bool {
    run(Command::new("dpkg-query").args(["-W", "-f=${db:Status-Abbrev}", package])).is_ok_and(|s| s.starts_with("ii"))
}

/// Starts the GUI app, waits until it has opened its database and is
/// still alive a moment later, then stops it.
fn app_starts(app: &Path, sandbox: &Path) -> anyhow::Result<()> {
    let data_dir = sandbox.join("app-data");
    let log = std::fs::File::create(sandbox.join("app.log"))?;
    let mut child = Command::new(app)
        .arg("--data-dir")
        .arg(&data_dir)
        .env("XDG_CONFIG_HOME", sandbox.join("config"))
        .env("XDG_CACHE_HOME", sandbox.join("cache"))
        .env("XDG_DATA_HOME", sandbox.join("data"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let result = loop {
        if let Some(status) = child.try_wait()? {
            break Err(anyhow::anyhow!("the installed app exited with {status}"));
        }
        let log = std::fs::read_to_string(sandbox.join("app.log")).unwrap_or_default();
        if data_dir.join("headend.sqlite3").exists() && log.contains("secret store ready") {
            std::thread::sleep(Duration::from_secs(2));
            break match child.try_wait()? {
                None => Ok(()),
                Some(status) => Err(anyhow::anyhow!("the installed app exited with {status} after starting")),
            };
        }
        if Instant::now() > deadline {
            break Err(anyhow::anyhow!("the installed app did not start within 20 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    result.with_context(|| std::fs::read_to_string(sandbox.join("app.log")).unwrap_or_default())?;
    ensure!(!app_running(&data_dir), "the app outlived its kill");
    Ok(())
}

#[test]
#[ignore = "needs the .deb, a display and dpkg: run `cargo xtask test`"]
fn the_deb_installs_and_its_programs_start() -> anyhow::Result<()> {
    let deb = env_path("HEADEND_DEB")?;
    let info = run(Command::new("dpkg-deb").arg("--info").arg(&deb))?;
    for field in ["Package: headend", "Depends: libwebkit2gtk-4.1-0", "Version: 0.1.0"] {
        ensure!(info.contains(field), "the package's control file lacks {field:?}:\n{info}");
    }
    let files = run(Command::new("dpkg-deb").arg("--contents").arg(&deb))?;
    for file in [
        "./usr/bin/headend-app",
        "./usr/bin/headend",
        "./usr/share/applications/net.headend.console.desktop",
        "./usr/share/icons/hicolor/128x128/apps/headend.png",
    ] {
        ensure!(files.contains(file), "the package lacks {file}");
    }

    let sandbox = tempfile::tempdir()?;
    // Install for real when we may and the operator has no Headend package
    // of their own; otherwise unpack it and run it from there.
    let real_install = is_root() && !installed("headend");
    let prefix = if real_install {
        run(Command::new("dpkg").arg("-i").arg(&deb))?;
        std::path::PathBuf::from("/")
    } else {
        eprintln!("not root, or a headend package is already installed: unpacking instead of installing");
        let root = sandbox.path().join("root");
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
        root
    };
    let outcome = (|| -> anyhow::Result<()> {
        let cli = prefix.join("usr/bin/headend");
        let status = run(Command::new(&cli).arg("--data-dir").arg(sandbox.path().join("cli-data")).arg("status"))?;
        ensure!(status.contains("Routers:         0"), "{status}");
        app_starts(&prefix.join("usr/bin/headend-app"), sandbox.path())
    })();
    if real_install {
        run(Command::new("dpkg").args(["-r", "headend"]))?;
        if Path::new("/usr/bin/headend-app").exists() {
            bail!("dpkg -r left /usr/bin/headend-app behind");
        }
    }
    outcome
}
