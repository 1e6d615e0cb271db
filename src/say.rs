//! Writing to standard output without failing when nobody reads it any more.
//!
//! What the command line prints to standard output is a report (what was built, where the
//! preview serves); the site is written, or served, whatever became of its reader. So a
//! reader that went away (`policydash build | head`) is not an error here, where `print!`
//! would panic.

/// `print!` that ignores a closed standard output.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `println!` that ignores a closed standard output.
#[macro_export]
macro_rules! sayln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
