//! Output formats: each workflow has its own, chosen by name, else by the output file's
//! extension, else the workflow's default. One rule for every command.

use std::path::Path;

/// An output format of some workflow.
pub trait Format: Copy + Sized {
    /// The format for a file extension (lower case, without the dot), if it has one.
    fn from_extension(extension: &str) -> Option<Self>;

    /// The format when neither a name nor a known extension says.
    fn fallback() -> Self;

    /// Every extension that chooses a format of this workflow.
    fn extensions() -> &'static [&'static str];

    /// `given`, else the format `path`'s extension names, else [`Format::fallback`].
    fn choose(given: Option<Self>, path: Option<&Path>) -> Self {
        given
            .or_else(|| extension(path).and_then(|e| Self::from_extension(&e)))
            .unwrap_or_else(Self::fallback)
    }

    /// [`Format::choose`], except that an output named with the extension of a format this
    /// workflow does not write (`review.xlsx` for a review) is refused rather than filled with
    /// the fallback format: a file whose name promises a workbook must not hold Markdown.
    fn choose_checked(given: Option<Self>, path: Option<&Path>) -> crate::Result<Self> {
        if given.is_none()
            && let Some(ext) = extension(path)
            && OTHER_OUTPUTS.contains(&ext.as_str())
            && Self::from_extension(&ext).is_none()
        {
            return Err(crate::Error::options(
                format!("this command cannot write a .{ext} file"),
                format!(
                    "an output named .{} (or a format named explicitly)",
                    Self::extensions().join(", .")
                ),
                [
                    sct_core::setting::Setting::Output,
                    sct_core::setting::Setting::Format,
                ],
            ));
        }
        Ok(Self::choose(given, path))
    }
}

/// Extensions of the formats some sct workflow writes: an output named with one of these
/// that the workflow at hand does not write is a mistake to refuse, not a name to keep.
const OTHER_OUTPUTS: &[&str] = &[
    "html", "htm", "json", "csv", "xlsx", "docx", "png", "svg", "pdf", "dot", "mmd",
];

/// The lower-cased extension of `path`, if any.
pub fn extension(path: Option<&Path>) -> Option<String> {
    path.and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Declares a format enum: its variants with their doc comments, the extensions that choose
/// each, and the fallback. Every format is listed by the command line through clap when the
/// `clap` feature is on.
macro_rules! formats {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => [$($ext:literal),*] ),+ $(,)?
        }
        fallback $fallback:ident
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::format::Format for $name {
            fn from_extension(extension: &str) -> Option<Self> {
                $(
                    let extensions: &[&str] = &[$($ext),*];
                    if extensions.contains(&extension) {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            fn fallback() -> Self {
                $name::$fallback
            }

            fn extensions() -> &'static [&'static str] {
                &[$($($ext,)*)+]
            }
        }
    };
}

pub(crate) use formats;
