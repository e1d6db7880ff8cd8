//! What verifying a delivery establishes, or why it refused the delivery.

use super::scheme::{Header, TimestampUnit};

/// Why a delivery was refused.
///
/// Messages name the problem and the header, but never contain a secret, a computed signature
/// or the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    #[error("the webhook delivery has no {0} header")]
    MissingHeader(Header),
    /// The id or timestamp header appears more than once with differing values, so it is
    /// unclear which one was signed.
    #[error("the webhook delivery has several {0} headers that differ")]
    ConflictingHeader(Header),
    /// The (signed) id header is empty or not UTF-8.
    #[error("the {0} header is empty or not UTF-8")]
    InvalidId(Header),
    /// The timestamp header is not a whole number of the scheme's unit since the unix epoch.
    #[error("the {header} header is not a unix timestamp in {unit}")]
    InvalidTimestamp {
        /// The timestamp header.
        header: Header,
        /// The unit it should be in.
        unit: TimestampUnit,
    },
    /// The timestamp is further in the past than the tolerance allows.
    #[error("the webhook delivery is too old (timestamp {timestamp})")]
    TooOld {
        /// The delivery's timestamp, in the scheme's unit since the unix epoch.
        timestamp: i64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    #[error("the webhook delivery is dated in the future (timestamp {timestamp})")]
    TooNew {
        /// The delivery's timestamp, in the scheme's unit since the unix epoch.
        timestamp: i64,
    },
    /// The signature header holds no well-formed signature: it is empty, or none of its
    /// entries has the scheme's shape (version or prefix, and a tag in the scheme's encoding).
    #[error("the {0} header holds no well-formed signature")]
    MalformedSignature(Header),
    /// No signature of the scheme's version or prefix matches the delivery under any of the
    /// verifier's secrets (or the header only holds signatures of other versions or kinds).
    #[error("no signature in the {0} header matches")]
    NoMatchingSignature(Header),
}

/// What a verified delivery's headers establish.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Delivery {
    /// The id header's value, when the scheme has one and the delivery carries it. It is
    /// covered by the signature when the scheme signs it (then it is always present); an
    /// unsigned id is reported only when it is UTF-8, not empty and not repeated differently.
    pub id: Option<String>,
    /// The timestamp header, in [`unit`](Self::unit)s since the unix epoch.
    pub timestamp: i64,
    /// The unit of [`timestamp`](Self::timestamp).
    pub unit: TimestampUnit,
}

impl Delivery {
    /// The timestamp as a UTC date and time, if it is in `time`'s range.
    pub fn datetime(&self) -> Option<time::OffsetDateTime> {
        let nanos = i128::from(self.timestamp) * self.unit.nanos();
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
    }
}
