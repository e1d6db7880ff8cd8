//! Files sent as `multipart/form-data` (feature `multipart`): where their bytes come from, the
//! documented limits they are checked against before anything is sent, and the form built
//! for each attempt.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt as _;
use reqwest::multipart::{Form, Part};

use super::error::{BoxError, Error};

/// Content type of a file whose type the caller did not give and whose name does not tell.
const OCTET_STREAM: &str = "application/octet-stream";

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// A file to upload: its name, optionally its content type, and where its bytes come from —
/// memory, a file on disk, or a stream of known length.
///
/// In-memory and on-disk files can be sent again when a request is retried (a file is
/// reopened for each attempt); a stream is read once, so a request carrying one is not
/// retried.
///
/// ```
/// use sentdm_runtime::Upload;
///
/// let photo = Upload::bytes("photo.jpg", vec![0xff, 0xd8, 0xff, 0xe0]);
/// assert_eq!(photo.name(), "photo.jpg");
/// let report = Upload::path("reports/2026-11.pdf").content_type("application/pdf");
/// assert_eq!(report.name(), "2026-11.pdf");
/// ```
#[derive(Clone)]
pub struct Upload {
    file_name: String,
    content_type: Option<String>,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    Stream {
        stream: Arc<Mutex<Option<ByteStream>>>,
        len: u64,
    },
}

impl Upload {
    /// A file held in memory.
    pub fn bytes(file_name: impl Into<String>, data: impl Into<Bytes>) -> Upload {
        Upload {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Bytes(data.into()),
        }
    }

    /// A file on disk, named after the last component of `path`. Its size is read when the
    /// request is built, and it is opened when the request is sent.
    pub fn path(path: impl Into<PathBuf>) -> Upload {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Upload {
            file_name,
            content_type: None,
            source: Source::Path(path),
        }
    }

    /// A file read from `stream`, which must yield exactly `len` bytes (the length is checked
    /// against the documented limits before anything is sent, and declared to the server).
    pub fn stream<S, E>(file_name: impl Into<String>, len: u64, stream: S) -> Upload
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        let stream: ByteStream = Box::pin(stream.map_err(Into::into));
        Upload {
            file_name: file_name.into(),
            content_type: None,
            source: Source::Stream {
                stream: Arc::new(Mutex::new(Some(stream))),
                len,
            },
        }
    }

    /// The name the file is sent under (default: the one given, or the path's file name).
    pub fn file_name(mut self, file_name: impl Into<String>) -> Upload {
        self.file_name = file_name.into();
        self
    }

    /// The file's content type, such as `image/png` (default: the type whose documented
    /// extensions include the file name's, else `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Upload {
        self.content_type = Some(content_type.into());
        self
    }

    /// The name the file is sent under.
    pub fn name(&self) -> &str {
        &self.file_name
    }

    /// The content type given with [`content_type`](Self::content_type), if any.
    pub fn declared_content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The file's size: known for memory and streams, read from disk for a path.
    fn len(&self, field: &str) -> Result<u64, Error> {
        match &self.source {
            Source::Bytes(bytes) => Ok(bytes.len() as u64),
            Source::Stream { len, .. } => Ok(*len),
            Source::Path(path) => match std::fs::metadata(path) {
                Ok(meta) if meta.is_file() => Ok(meta.len()),
                Ok(_) => Err(Error::invalid_request(
                    field,
                    format!("`{}` is not a regular file", path.display()),
                )),
                Err(e) => Err(Error::invalid_request(
                    field,
                    format!("cannot read `{}`: {e}", path.display()),
                )),
            },
        }
    }
}

impl fmt::Debug for Upload {
    /// Name, type and source; never the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Upload");
        out.field("file_name", &self.file_name)
            .field("content_type", &self.content_type);
        match &self.source {
            Source::Bytes(bytes) => out.field("bytes", &bytes.len()),
            Source::Path(path) => out.field("path", path),
            Source::Stream { len, .. } => out.field("stream_len", len),
        };
        out.finish()
    }
}

/// A file format an upload field accepts, and its documented size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    /// The media type, such as `image/jpeg`.
    pub content_type: &'static str,
    /// File name extensions of the format, with the dot, such as `.jpg`.
    pub extensions: &'static [&'static str],
    /// Largest accepted file of this type, in bytes.
    pub max_bytes: Option<u64>,
}

/// What an upload field accepts, as documented: formats, and sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRules {
    /// The accepted formats; empty when any is.
    pub types: &'static [FileType],
    /// Largest accepted file of any type, in bytes.
    pub max_bytes: Option<u64>,
}

impl FileRules {
    /// Rules that accept any file.
    pub const ANY: FileRules = FileRules {
        types: &[],
        max_bytes: None,
    };

    /// The documented format with content type `content_type` (ignoring case and
    /// parameters such as `; charset=utf-8`).
    fn by_content_type(&self, content_type: &str) -> Option<&'static FileType> {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        self.types
            .iter()
            .find(|ty| ty.content_type.eq_ignore_ascii_case(essence))
    }

    /// The documented format whose extensions include `file_name`'s.
    fn by_file_name(&self, file_name: &str) -> Option<&'static FileType> {
        let extension = extension(file_name)?;
        self.types.iter().find(|ty| {
            ty.extensions
                .iter()
                .any(|ext| ext.eq_ignore_ascii_case(extension))
        })
    }

    /// Checks `upload` for the field `field`, returning its content type and size.
    fn check(&self, field: &str, upload: &Upload) -> Result<(String, u64), Error> {
        if upload.file_name.trim().is_empty() {
            return Err(Error::invalid_request(field, "the file has no name"));
        }
        if upload.file_name.chars().any(char::is_control) {
            return Err(Error::invalid_request(
                field,
                "the file name contains control characters",
            ));
        }
        let ty = match &upload.content_type {
            Some(declared) => {
                if declared.parse::<http::HeaderValue>().is_err() || !declared.contains('/') {
                    return Err(Error::invalid_request(
                        field,
                        format!("`{declared}` is not a media type"),
                    ));
                }
                match self.by_content_type(declared) {
                    Some(ty) => Some(ty),
                    None if self.types.is_empty() => None,
                    None => {
                        return Err(Error::invalid_request(
                            field,
                            format!(
                                "files of type `{declared}` are not accepted; accepted: {}",
                                self.accepted()
                            ),
                        ));
                    }
                }
            }
            None => match self.by_file_name(&upload.file_name) {
                Some(ty) => Some(ty),
                None if self.types.is_empty() => None,
                None => {
                    return Err(Error::invalid_request(
                        field,
                        format!(
                            "cannot tell the type of `{}` from its name; accepted: {} \
                             (or set the content type)",
                            upload.file_name,
                            self.accepted()
                        ),
                    ));
                }
            },
        };
        if let Some(ty) = ty {
            let known_extension = extension(&upload.file_name).is_some_and(|ext| {
                ty.extensions
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(ext))
            });
            if !ty.extensions.is_empty() && !known_extension {
                return Err(Error::invalid_request(
                    field,
                    format!(
                        "`{}` does not end in an extension of {} ({})",
                        upload.file_name,
                        ty.content_type,
                        ty.extensions.join(", ")
                    ),
                ));
            }
        }
        let len = upload.len(field)?;
        let limit = match ty.and_then(|ty| ty.max_bytes) {
            Some(limit) => Some(self.max_bytes.map_or(limit, |max| max.min(limit))),
            None => self.max_bytes,
        };
        if let Some(limit) = limit {
            if len > limit {
                return Err(Error::invalid_request(
                    field,
                    format!(
                        "the file is {len} bytes; {} files may be at most {limit} bytes",
                        ty.map_or("such", |ty| ty.content_type)
                    ),
                ));
            }
        }
        let content_type = match (&upload.content_type, ty) {
            (Some(declared), _) => declared.clone(),
            (None, Some(ty)) => ty.content_type.to_owned(),
            (None, None) => OCTET_STREAM.to_owned(),
        };
        Ok((content_type, len))
    }

    /// The accepted formats, for messages.
    fn accepted(&self) -> String {
        self.types
            .iter()
            .map(|ty| ty.content_type)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The extension of a file name, with its dot (`photo.JPG` → `.JPG`).
fn extension(file_name: &str) -> Option<&str> {
    let dot = file_name.rfind('.')?;
    let ext = &file_name[dot..];
    (ext.len() > 1 && dot > 0).then_some(ext)
}

/// A `multipart/form-data` request body: text fields and files, each file already checked
/// against its field's [`FileRules`].
///
/// Generated upload builders make one; [`OperationRequest::body`](super::OperationRequest)
/// carries it as [`RequestBody::Multipart`](super::RequestBody::Multipart). The form is
/// built afresh for each attempt of the request.
#[derive(Clone, Default)]
pub struct Multipart {
    parts: Vec<(String, Field)>,
}

#[derive(Clone)]
enum Field {
    Text(String),
    File {
        upload: Upload,
        content_type: String,
        len: u64,
    },
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Multipart {
        self.parts.push((name.into(), Field::Text(value.into())));
        self
    }

    /// Adds a file, after checking it against `rules`: its type (the one given, or the one its
    /// name's extension belongs to) must be accepted, its name must end in an extension of
    /// that type, and its size must be within the type's limit. A failed check is an
    /// [`Error::InvalidRequest`] naming the field; nothing has been sent.
    pub fn file(
        mut self,
        name: impl Into<String>,
        upload: Upload,
        rules: &FileRules,
    ) -> Result<Multipart, Error> {
        let name = name.into();
        let (content_type, len) = rules.check(&name, &upload)?;
        self.parts.push((
            name,
            Field::File {
                upload,
                content_type,
                len,
            },
        ));
        Ok(self)
    }

    /// Whether the form can be built again for another attempt (no part is a stream that
    /// has already been read).
    pub(crate) fn is_replayable(&self) -> bool {
        !self.parts.iter().any(|(_, field)| {
            matches!(
                field,
                Field::File {
                    upload: Upload {
                        source: Source::Stream { .. },
                        ..
                    },
                    ..
                }
            )
        })
    }

    /// The form for one attempt; opens files and takes streams.
    pub(crate) async fn form(&self) -> Result<Form, Error> {
        let mut form = Form::new();
        for (name, field) in &self.parts {
            let part = match field {
                Field::Text(value) => Part::text(value.clone()),
                Field::File {
                    upload,
                    content_type,
                    len,
                } => {
                    let body = match &upload.source {
                        Source::Bytes(bytes) => reqwest::Body::from(bytes.clone()),
                        Source::Path(path) => reqwest::Body::from(open(name, path).await?),
                        Source::Stream { stream, .. } => {
                            let taken = stream.lock().ok().and_then(|mut slot| slot.take());
                            let Some(stream) = taken else {
                                return Err(Error::invalid_request(
                                    name.as_str(),
                                    "the upload stream has already been sent",
                                ));
                            };
                            reqwest::Body::wrap_stream(stream)
                        }
                    };
                    Part::stream_with_length(body, *len)
                        .file_name(upload.file_name.clone())
                        .mime_str(content_type)
                        .map_err(|_| {
                            Error::invalid_request(
                                name.as_str(),
                                format!("`{content_type}` is not a media type"),
                            )
                        })?
                }
            };
            form = form.part(name.clone(), part);
        }
        Ok(form)
    }
}

async fn open(field: &str, path: &Path) -> Result<tokio::fs::File, Error> {
    tokio::fs::File::open(path).await.map_err(|e| {
        Error::invalid_request(field, format!("cannot open `{}`: {e}", path.display()))
    })
}

impl fmt::Debug for Multipart {
    /// Field names, file names, types and sizes; never text values or file contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, field) in &self.parts {
            match field {
                Field::Text(value) => list.entry(&format_args!("{name}: {} bytes", value.len())),
                Field::File {
                    upload,
                    content_type,
                    len,
                } => list.entry(&format_args!(
                    "{name}: {:?} ({content_type}, {len} bytes)",
                    upload.file_name
                )),
            };
        }
        list.finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const IMAGES: FileRules = FileRules {
        types: &[
            FileType {
                content_type: "image/jpeg",
                extensions: &[".jpg", ".jpeg"],
                max_bytes: Some(8),
            },
            FileType {
                content_type: "application/pdf",
                extensions: &[".pdf"],
                max_bytes: Some(16),
            },
        ],
        max_bytes: Some(16),
    };

    fn reason(result: Result<Multipart, Error>) -> String {
        match result {
            Err(Error::InvalidRequest { field, message, .. }) => format!("{field}: {message}"),
            other => panic!("expected an invalid request, got {other:?}"),
        }
    }

    #[test]
    fn type_comes_from_the_extension_or_the_caller() {
        let form = Multipart::new()
            .file("file", Upload::bytes("a.JPG", vec![0; 8]), &IMAGES)
            .unwrap();
        assert!(format!("{form:?}").contains("image/jpeg, 8 bytes"));
        let form = Multipart::new()
            .file(
                "file",
                Upload::bytes("a.pdf", vec![0; 9]).content_type("application/pdf"),
                &IMAGES,
            )
            .unwrap();
        assert!(format!("{form:?}").contains("application/pdf, 9 bytes"));
    }

    #[test]
    fn each_type_has_its_own_limit() {
        let too_big = Upload::bytes("a.jpg", vec![0; 9]);
        let message = reason(Multipart::new().file("file", too_big, &IMAGES));
        assert_eq!(
            message,
            "file: the file is 9 bytes; image/jpeg files may be at most 8 bytes"
        );
        assert!(
            Multipart::new()
                .file("file", Upload::bytes("a.pdf", vec![0; 16]), &IMAGES)
                .is_ok()
        );
    }

    #[test]
    fn unknown_formats_and_mismatched_names_are_refused() {
        let message =
            reason(Multipart::new().file("file", Upload::bytes("a.exe", vec![1u8]), &IMAGES));
        assert!(
            message.contains("cannot tell the type of `a.exe`"),
            "{message}"
        );
        let message = reason(Multipart::new().file(
            "file",
            Upload::bytes("a.jpg", vec![1u8]).content_type("text/html"),
            &IMAGES,
        ));
        assert!(
            message.contains("`text/html` are not accepted"),
            "{message}"
        );
        let message = reason(Multipart::new().file(
            "file",
            Upload::bytes("a.png", vec![1u8]).content_type("image/jpeg"),
            &IMAGES,
        ));
        assert!(
            message.contains("does not end in an extension of image/jpeg"),
            "{message}"
        );
        let message = reason(Multipart::new().file("file", Upload::bytes("", vec![1u8]), &IMAGES));
        assert_eq!(message, "file: the file has no name");
    }

    #[test]
    fn a_missing_path_is_an_invalid_request() {
        let missing = Upload::path("/nonexistent/dir/a.jpg");
        let message = reason(Multipart::new().file("file", missing, &IMAGES));
        assert!(
            message.starts_with("file: cannot read `/nonexistent/dir/a.jpg`"),
            "{message}"
        );
    }

    #[test]
    fn any_file_when_nothing_is_documented() {
        let form = Multipart::new()
            .file("file", Upload::bytes("blob", vec![0; 100]), &FileRules::ANY)
            .unwrap();
        assert!(format!("{form:?}").contains("application/octet-stream, 100 bytes"));
    }

    #[tokio::test]
    async fn streams_are_sent_once() {
        let chunks =
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"abc"))]);
        let form = Multipart::new()
            .file("file", Upload::stream("a.pdf", 3, chunks), &IMAGES)
            .unwrap();
        assert!(!form.is_replayable());
        assert!(form.form().await.is_ok());
        assert!(form.form().await.is_err());
    }

    #[test]
    fn debug_shows_no_contents() {
        let form = Multipart::new()
            .text("caption", "secret caption")
            .file("file", Upload::bytes("a.jpg", b"JFIF".to_vec()), &IMAGES)
            .unwrap();
        let debug = format!("{form:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(!debug.contains("JFIF"), "{debug}");
    }
}
