//! Reading a response body incrementally, within a size limit.

use bytes::Bytes;

/// Most memory set aside up front for a body whose length the server announced; a longer
/// body grows the buffer as it arrives, so a false `Content-Length` costs nothing.
const MAX_PREALLOCATION: u64 = 1024 * 1024;

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// The body is longer than the limit; reading stopped there.
    TooLarge,
    /// The connection failed, or the attempt timed out, while reading.
    Transport(reqwest::Error),
}

/// Reads the body of `response`, failing as soon as it is known to exceed `limit` bytes: at
/// once when the announced `Content-Length` is larger, otherwise when the chunks received add
/// up to more. The buffer grows by doubling but never beyond the limit, so the memory it holds
/// stays under the limit (twice it at most while growing).
pub(crate) async fn read_limited(
    response: &mut reqwest::Response,
    limit: u64,
) -> Result<Bytes, BodyError> {
    let announced = response.content_length();
    if announced.is_some_and(|len| len > limit) {
        return Err(BodyError::TooLarge);
    }
    let first = match response.chunk().await.map_err(BodyError::Transport)? {
        Some(chunk) => chunk,
        None => return Ok(Bytes::new()),
    };
    check(first.len(), limit)?;
    let Some(second) = response.chunk().await.map_err(BodyError::Transport)? else {
        // The usual case: the whole body in one chunk, returned without copying.
        return Ok(first);
    };
    let received = first.len().saturating_add(second.len());
    check(received, limit)?;
    let expected = announced.unwrap_or(0).min(limit).min(MAX_PREALLOCATION);
    let capacity = usize::try_from(expected).unwrap_or(0).max(received);
    let mut body = Vec::with_capacity(capacity);
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    drop((first, second));
    let ceiling = usize::try_from(limit).unwrap_or(usize::MAX);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        let needed = body.len().saturating_add(chunk.len());
        check(needed, limit)?;
        if needed > body.capacity() {
            let target = needed.max(body.capacity().saturating_mul(2)).min(ceiling);
            body.reserve_exact(target - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

fn check(received: usize, limit: u64) -> Result<(), BodyError> {
    if u64::try_from(received).unwrap_or(u64::MAX) > limit {
        Err(BodyError::TooLarge)
    } else {
        Ok(())
    }
}
