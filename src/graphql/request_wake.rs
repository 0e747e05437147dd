//! Whether a request's task has been woken and not polled since: its DataLoader batches
//! wait for that to clear before they collect their keys (see
//! [`new_loaders`](super::loaders::new_loaders)).
//!
//! A batch used to wait for one `yield_now`, on the belief that a yielded task runs again
//! only once the runtime's queue is empty. Tokio also wakes yielded tasks at its periodic
//! maintenance (every 61 polls of a worker), and puts them first in line; when that fell
//! between a batch delivering its rows and the request acting on them, the next batch
//! collected its keys too early and the request sent one statement more
//! (`catalog::christmas_bake…` failed in CI that way). Watching the request's own wakes
//! makes the batches independent of the scheduler's timing.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Set while the watched request has been woken and not polled since.
#[derive(Clone, Default)]
pub struct RequestWake(Arc<AtomicBool>);

impl RequestWake {
    /// Whether the request has work it has not looked at yet: it was woken, and has not
    /// been polled since.
    pub fn is_pending(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `future`, recording its wakes here.
    pub fn watch<F: Future + Unpin>(&self, future: F) -> Watched<F> {
        Watched {
            inner: future,
            flag: self.0.clone(),
            waker: None,
        }
    }
}

/// A future whose wakes are recorded in a [`RequestWake`].
pub struct Watched<F> {
    inner: F,
    flag: Arc<AtomicBool>,
    /// The waker last given by the task, and the recording one made around it.
    waker: Option<(Waker, Waker)>,
}

/// Records a wake, then passes it on.
struct RecordingWaker {
    flag: Arc<AtomicBool>,
    task: Waker,
}

impl Wake for RecordingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.flag.store(true, Ordering::SeqCst);
        self.task.wake_by_ref();
    }
}

impl<F: Future + Unpin> Future for Watched<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let fresh = match &this.waker {
            Some((task, _)) => !task.will_wake(cx.waker()),
            None => true,
        };
        if fresh {
            let recording = Waker::from(Arc::new(RecordingWaker {
                flag: this.flag.clone(),
                task: cx.waker().clone(),
            }));
            this.waker = Some((cx.waker().clone(), recording));
        }
        // Cleared before the poll: a wake during it sets the flag again.
        this.flag.store(false, Ordering::SeqCst);
        let Some((_, recording)) = &this.waker else {
            unreachable!("the recording waker was just made")
        };
        Pin::new(&mut this.inner).poll(&mut Context::from_waker(recording))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_is_pending_until_the_request_is_polled() {
        let wake = RequestWake::default();
        let (tx, rx) = futures::channel::oneshot::channel::<u8>();
        let mut watched = wake.watch(rx);
        assert!(futures::poll!(&mut watched).is_pending());
        assert!(!wake.is_pending(), "not woken yet");
        tx.send(7).unwrap();
        assert!(wake.is_pending(), "woken by the send, not polled since");
        assert_eq!(futures::poll!(&mut watched), Poll::Ready(Ok(7)));
        assert!(!wake.is_pending(), "polled");
    }
}
