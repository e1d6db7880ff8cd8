//! Mock of the Sent.dm API.
