//! Lazy streams over the pages of a list, numbered by page or by item offset.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{DefaultHasher, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::Serialize;

use super::{Error, Response};

/// A boxed, sendable future, as returned by generated request builders.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// One page of a paginated list response.
///
/// Generated code implements this for the payload types of paginated operations so that
/// callers (and the [`Pages`] and [`Items`] streams) can walk the items without knowing the
/// field names.
pub trait Page {
    /// Type of one item of the page.
    type Item;

    /// The items on this page.
    fn items(&self) -> &[Self::Item];

    /// Consumes the page and returns its items.
    fn into_items(self) -> Vec<Self::Item>;

    /// Whether the server reports another page after this one.
    fn has_more(&self) -> bool;
}

/// How the position of the next page follows from this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Pages are numbered; the next is this one plus one.
    PageNumber,
    /// Pages start at an item offset; the next starts after this page's items.
    Offset,
}

type Fetch<P> = Box<dyn FnMut(u64) -> BoxFuture<Result<Response<P>, Error>> + Send>;

/// A stream of the pages of a list, fetched one at a time as the stream is polled.
///
/// Generated list builders return one from `pages()`. Page `n + 1` is requested only after
/// page `n` has been yielded and the stream is polled again, so at most one page is held at a
/// time and stopping early (`take`, `break`) fetches nothing more. The stream ends after a
/// page whose payload says there is no further page ([`Page::has_more`] is `false`), after an
/// empty page, or after an error, which it yields first. Each page is a full request, retried
/// by the runtime like any other.
///
/// A server that keeps saying `has_more` while answering a page it already answered (the
/// same items again) would make the stream endless; the stream yields
/// [`Error::RepeatedPage`] for such a page instead, and ends. Each page's items are
/// remembered as a 64-bit fingerprint, so the check costs a few bytes per page.
///
/// Generated list builders return one from `pages()`; by hand, with a fetch function:
///
/// ```
/// use futures_util::TryStreamExt;
/// use sentdm_runtime::{HeaderMap, Meta, Page, Pages, Response, StatusCode};
///
/// /// Three pages of two numbers each.
/// struct Numbers(Vec<u32>, bool);
///
/// impl Page for Numbers {
///     type Item = u32;
///     fn items(&self) -> &[u32] { &self.0 }
///     fn into_items(self) -> Vec<u32> { self.0 }
///     fn has_more(&self) -> bool { self.1 }
/// }
///
/// # async fn run() -> Result<(), sentdm_runtime::Error> {
/// let pages = Pages::new(1, |page| {
///     let first = u32::try_from(page * 2 - 1).unwrap_or_default();
///     let numbers = Numbers(vec![first, first + 1], page < 3);
///     Box::pin(async move {
///         Ok(Response::new(numbers, Meta::default(), StatusCode::OK, HeaderMap::new()))
///     })
/// });
/// let all: Vec<u32> = pages.items().try_collect().await?;
/// assert_eq!(all, [1, 2, 3, 4, 5, 6]);
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Pages<P> {
    fetch: Fetch<P>,
    /// The page number or offset to request next; `None` once the stream has ended.
    next: Option<u64>,
    step: Step,
    pending: Option<BoxFuture<Result<Response<P>, Error>>>,
    /// Fingerprints of the items of the pages yielded so far, with their page numbers.
    seen: HashMap<u64, u64>,
}

impl<P: Page + Send + 'static> Pages<P>
where
    P::Item: Serialize,
{
    /// A stream starting at page `first` (1-based) that calls `fetch(n)` for page `n`.
    pub fn new<F>(first: u64, fetch: F) -> Pages<P>
    where
        F: FnMut(u64) -> BoxFuture<Result<Response<P>, Error>> + Send + 'static,
    {
        Pages {
            fetch: Box::new(fetch),
            next: Some(first),
            step: Step::PageNumber,
            pending: None,
            seen: HashMap::new(),
        }
    }

    /// A stream over an offset-paginated list, starting at offset `first` (0-based), that
    /// calls `fetch(offset)` for each page; the next offset is this one plus the number of
    /// items the page held. The end conditions are those of [`Pages::new`].
    pub fn offsets<F>(first: u64, fetch: F) -> Pages<P>
    where
        F: FnMut(u64) -> BoxFuture<Result<Response<P>, Error>> + Send + 'static,
    {
        Pages {
            step: Step::Offset,
            ..Pages::new(first, fetch)
        }
    }

    /// A stream of the items of every page, in order.
    pub fn items(self) -> Items<P> {
        Items {
            pages: self,
            buffer: Vec::new().into_iter(),
        }
    }
}

impl<P: Page> Stream for Pages<P>
where
    P::Item: Serialize,
{
    type Item = Result<Response<P>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(page) = this.next else {
            return Poll::Ready(None);
        };
        let pending = this.pending.get_or_insert_with(|| (this.fetch)(page));
        let result = match pending.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.pending = None;
        this.next = None;
        let result = match result {
            Ok(response) if response.has_more() && !response.items().is_empty() => {
                let fingerprint = fingerprint(response.items());
                match this.seen.insert(fingerprint, page) {
                    Some(earlier) => Err(Error::RepeatedPage { page, earlier }),
                    None => {
                        this.next = match this.step {
                            Step::PageNumber => page.checked_add(1),
                            Step::Offset => page.checked_add(response.items().len() as u64),
                        };
                        Ok(response)
                    }
                }
            }
            other => other,
        };
        Poll::Ready(Some(result))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.next {
            None => (0, Some(0)),
            Some(_) => (0, None),
        }
    }
}

/// A 64-bit fingerprint of a page's items: a hash of their JSON form.
fn fingerprint<T: Serialize>(items: &[T]) -> u64 {
    struct HashWriter(DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = HashWriter(DefaultHasher::new());
    // Serializing generated types cannot fail; should it, the hash covers what was written.
    let _ = serde_json::to_writer(&mut writer, items);
    writer.0.finish()
}

impl<P> fmt::Debug for Pages<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("next", &self.next)
            .field("step", &self.step)
            .field("fetching", &self.pending.is_some())
            .field("pages_seen", &self.seen.len())
            .finish_non_exhaustive()
    }
}

/// A stream of the items of a list, across pages fetched one at a time as needed.
///
/// Generated list builders return one from `items()`; it is [`Pages`] flattened, with the
/// same laziness and end conditions. An error fetching a page is yielded once and ends the
/// stream.
///
/// See [`Pages`] for an example.
#[must_use = "streams do nothing unless polled"]
pub struct Items<P: Page> {
    pages: Pages<P>,
    buffer: std::vec::IntoIter<P::Item>,
}

impl<P: Page> Unpin for Items<P> {}

impl<P: Page> Stream for Items<P>
where
    P::Item: Serialize,
{
    type Item = Result<P::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(page))) => {
                    this.buffer = page.into_data().into_items().into_iter();
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.buffer.len();
        match self.pages.next {
            None => (buffered, Some(buffered)),
            Some(_) => (buffered, None),
        }
    }
}

impl<P: Page> fmt::Debug for Items<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}
