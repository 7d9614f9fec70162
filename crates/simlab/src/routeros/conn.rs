//! One API connection to the simulated router: login, then commands,
//! with the faults in force.

use std::sync::Arc;

use bytes::BytesMut;
use headend_routeros::client::challenge_response;
use headend_routeros::{Attributes, Command, Decoder, Reply, Sentence, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tracing::{debug, trace};

use super::state::{ConnId, State, fail};
use super::{Core, Persona};

/// Read at least this much at a time.
const READ_CHUNK: usize = 64 * 1024;

#[derive(Debug, Default)]
struct Login {
    logged_in: bool,
    challenge: Option<[u8; 16]>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Login {
    fn step(&mut self, state: &mut State, command: &Command) -> Vec<Reply> {
        let tag = command.tag();
        if command.path() != "/login" {
            return fail(tag, None, "not logged in");
        }
        let args = command.attributes();
        let name_ok = args.get("name").is_some_and(|n| n == state.username.as_str());
        let ok = || vec![Reply::Done { tag, ret: None, attrs: Attributes::new() }];
        let accepted = match state.persona {
            Persona::V7 => name_ok && args.get("password").is_some_and(|p| p == state.password.as_str()),
            Persona::V6 => match args.get("response") {
                None => {
                    let mut challenge = [0_u8; 16];
                    for chunk in challenge.chunks_mut(8) {
                        let random = state.rng.next_u64().to_be_bytes();
                        chunk.copy_from_slice(random.get(..chunk.len()).unwrap_or(&random));
                    }
                    self.challenge = Some(challenge);
                    return vec![Reply::Done {
                        tag,
                        ret: Some(Value::from(hex(&challenge))),
                        attrs: Attributes::new(),
                    }];
                }
                Some(response) => self.challenge.take().is_some_and(|challenge| {
                    name_ok && *response == challenge_response(state.password.as_bytes(), &challenge).as_str()
                }),
            },
        };
        if accepted {
            self.logged_in = true;
            state.stats.logins += 1;
            ok()
        } else {
            state.stats.failed_logins += 1;
            let message = match state.persona {
                Persona::V7 => "invalid user name or password (6)",
                Persona::V6 => "cannot log in",
            };
            fail(tag, None, message)
        }
    }
}

/// Serve one connection until either side closes it.
pub(crate) async fn serve<S>(io: S, core: Arc<Core>, conn: ConnId)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (mut rd, mut wr) = tokio::io::split(io);
    let mut decoder = Decoder::new();
    let (events_tx, mut events_rx) = mpsc::unbounded_channel::<Reply>();
    let mut shutdown = core.shutdown.subscribe();
    let mut reset = core.reset.subscribe();
    let mut login = Login::default();
    loop {
        let mut replies = Vec::new();
        let mut close = false;
        decoder.buffer_mut().reserve(READ_CHUNK);
        tokio::select! {
            read = rd.read_buf(decoder.buffer_mut()) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let mut sentences: Vec<Sentence> = Vec::new();
                loop {
                    match decoder.next_sentence() {
                        Ok(Some(s)) => sentences.push(s),
                        Ok(None) => break,
                        Err(err) => {
                            debug!(%err, "garbage from the client, closing");
                            close = true;
                            break;
                        }
                    }
                }
                if sentences.is_empty() && !close {
                    continue;
                }
                let mut state = core.lock();
                state.stats.batches += 1;
                state.stats.sentences += sentences.len() as u64;
                let stalled = state.faults.stall;
                for sentence in &sentences {
                    let command = match Command::parse(sentence) {
                        Ok(c) => c,
                        Err(err) => {
                            replies.extend(fail(None, Some(5), err.to_string()));
                            continue;
                        }
                    };
                    trace!(?command, "command");
                    if !login.logged_in {
                        replies.extend(login.step(&mut state, &command));
                        continue;
                    }
                    if stalled {
                        state.stats.commands += 1;
                        continue;
                    }
                    if command.path() == "/quit" {
                        replies.push(Reply::Fatal {
                            reason: Value::from("session terminated on request"),
                        });
                        close = true;
                        break;
                    }
                    replies.extend(state.execute(&command, conn, &events_tx));
                }
            }
            Some(event) = events_rx.recv() => {
                replies.push(event);
                while let Ok(event) = events_rx.try_recv() {
                    replies.push(event);
                }
            }
            _ = shutdown.wait_for(|s| *s) => break,
            _ = reset.changed() => break,
        }
        if !replies.is_empty() && !send(&mut wr, &replies, &core, login.logged_in).await {
            break;
        }
        if close {
            break;
        }
    }
    let _ = wr.shutdown().await;
    core.lock().forget_connection(conn);
    debug!(conn, "connection closed");
}

/// Write one batch of replies, with the faults in force. `false` when the
/// connection must close.
async fn send<W: AsyncWrite + Unpin>(wr: &mut W, replies: &[Reply], core: &Core, logged_in: bool) -> bool {
    let faults = core.lock().faults.clone();
    let mut buf = BytesMut::new();
    for reply in replies {
        if let Ok(sentence) = reply.to_sentence() {
            sentence.encode(&mut buf);
        }
    }
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if logged_in && faults.stall {
        return true;
    }
    if logged_in && faults.close_mid_reply {
        let half = buf.len() / 2;
        let _ = wr.write_all(buf.get(..half).unwrap_or_default()).await;
        let _ = wr.flush().await;
        return false;
    }
    core.lock().stats.reply_batches += 1;
    wr.write_all(&buf).await.is_ok() && wr.flush().await.is_ok()
}
