//! Streaming commands: `listen`, `print =follow=`, `print =follow-only=`.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::time::timeout;

use super::connection::{Client, Event, Inbox};
use super::{ClientError, Disconnect};
use crate::{Attributes, Reply, Tag, TrapCategory};

/// The `!re` items of a streaming command, until its `!done`.
///
/// Implements [`futures_core::Stream`]; [`ReplyStream::next`] saves
/// importing an extension trait. Ends (`None`) on `!done`; a `!trap` is
/// yielded as an error (the stream then ends with the `!done` that
/// follows), except the "interrupted" trap that answers our own
/// [`cancel`](Self::cancel). A lost connection is yielded as an error,
/// then the stream ends.
///
/// Dropping the stream before its end sends `/cancel` for it.
#[derive(Debug)]
pub struct ReplyStream {
    client: Client,
    tag: Tag,
    rx: Inbox,
    cancelled: bool,
    finished: bool,
}

impl ReplyStream {
    pub(crate) fn new(client: Client, tag: Tag, rx: Inbox) -> Self {
        Self { client, tag, rx, cancelled: false, finished: false }
    }

    /// The command's tag.
    #[must_use]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The next item; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Attributes, ClientError>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Cancel the command on the router and wait (within the command
    /// timeout) for it to end. Items still in flight are discarded.
    pub async fn cancel(mut self) -> Result<(), ClientError> {
        if self.finished {
            return Ok(());
        }
        self.cancelled = true;
        self.client.inner.send_cancel(self.tag);
        let limit = self.client.inner.command_timeout;
        let drain = async {
            while let Some(item) = self.next().await {
                item?;
            }
            Ok(())
        };
        match timeout(limit, drain).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout { what: "cancel", after: limit }),
        }
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Attributes, ClientError>>> {
        if self.finished {
            return Poll::Ready(None);
        }
        loop {
            let Some(event) = ready!(self.rx.poll_recv(cx)) else {
                self.finished = true;
                let reason = self.client.inner.shared.closed().unwrap_or(Disconnect::Closed);
                return Poll::Ready(Some(Err(reason.into())));
            };
            match event {
                Event::Reply(Reply::Re { attrs, .. }) => return Poll::Ready(Some(Ok(attrs))),
                Event::Reply(Reply::Empty { .. }) => {}
                Event::Reply(Reply::Done { .. }) => {
                    self.finished = true;
                    return Poll::Ready(None);
                }
                Event::Reply(Reply::Trap { category, message, .. }) => {
                    if self.cancelled && category == Some(TrapCategory::ExecutionInterrupted) {
                        continue;
                    }
                    return Poll::Ready(Some(Err(ClientError::Trap { category, message })));
                }
                Event::Reply(Reply::Fatal { reason }) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(Disconnect::Fatal(reason).into())));
                }
                Event::Lost(reason) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(reason.into())));
                }
                Event::Overflow(limit) => {
                    // The reader fell too far behind: stop it on the
                    // router; the caller starts over (a fresh read).
                    self.finished = true;
                    self.client.inner.send_cancel(self.tag);
                    return Poll::Ready(Some(Err(ClientError::TooManyItems { limit })));
                }
            }
        }
    }
}

impl futures_core::Stream for ReplyStream {
    type Item = Result<Attributes, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl Drop for ReplyStream {
    fn drop(&mut self) {
        if !self.finished {
            self.client.inner.shared.deregister(self.tag);
            self.client.inner.send_cancel(self.tag);
        }
    }
}
