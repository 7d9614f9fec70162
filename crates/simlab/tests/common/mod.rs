//! Shared set-up of the client-against-simulator tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use headend_routeros::client::{Client, ConnectOptions};
use headend_routeros::{Command, Decoder, Reply, Sentence, Tag};
use headend_simlab::{Persona, SimConfig, SimRouter, SimRouterHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub async fn router(persona: Persona) -> SimRouterHandle {
    SimRouter::start(SimConfig::persona(persona)).await.unwrap()
}

pub async fn router_with(config: SimConfig) -> SimRouterHandle {
    SimRouter::start(config).await.unwrap()
}

/// Plain API options for `sim`, with short timeouts and no keepalive.
pub fn options(sim: &SimRouterHandle) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", "admin", "admin")
        .port(sim.api_port())
        .connect_timeout(Duration::from_secs(5))
        .command_timeout(Duration::from_secs(5))
        .keepalive(None)
}

pub async fn connect(sim: &SimRouterHandle) -> Client {
    Client::connect(options(sim)).await.unwrap()
}

/// A hand-driven fake router for what the simulator will not do: it
/// accepts one connection, answers the login, then lets the test read
/// commands and write raw bytes.
pub struct Scripted {
    pub stream: TcpStream,
    decoder: Decoder,
}

impl Scripted {
    /// Listen; the returned port is what the client connects to.
    pub async fn listen() -> (TcpListener, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        (listener, port)
    }

    /// Accept and answer the plain login.
    pub async fn accept(listener: TcpListener) -> Self {
        let (stream, _) = listener.accept().await.unwrap();
        let mut me = Self { stream, decoder: Decoder::new() };
        let login = me.command().await;
        assert_eq!(login.path(), "/login");
        me.send(&[Reply::Done { tag: None, ret: None, attrs: Default::default() }]).await;
        me
    }

    /// The next command from the client.
    pub async fn command(&mut self) -> Command {
        loop {
            if let Some(s) = self.decoder.next_sentence().unwrap() {
                return Command::parse(&s).unwrap();
            }
            let n = self.stream.read_buf(self.decoder.buffer_mut()).await.unwrap();
            assert!(n > 0, "client closed");
        }
    }

    pub async fn send(&mut self, replies: &[Reply]) {
        let mut bytes = Vec::new();
        for r in replies {
            r.to_sentence().unwrap().encode(&mut bytes);
        }
        self.raw(&bytes).await;
    }

    pub async fn raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
        self.stream.flush().await.unwrap();
    }
}

pub fn re(tag: Option<Tag>, pairs: &[(&str, &str)]) -> Reply {
    Reply::Re { tag, attrs: pairs.iter().copied().collect() }
}

pub fn done(tag: Option<Tag>) -> Reply {
    Reply::Done { tag, ret: None, attrs: Default::default() }
}

pub fn sentence_bytes(words: &[&[u8]]) -> Vec<u8> {
    let s = Sentence::new(words.iter().map(|w| headend_routeros::Word::try_from(*w).unwrap()).collect()).unwrap();
    s.to_bytes().to_vec()
}
