//! Writes a generated site of N programmes, for profiling a build by hand:
//! `cargo run --release --example synth -- 1000 /tmp/site-1000`, then
//! `cargo run --release -- build --root /tmp/site-1000 --timings`.

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(n), Some(to)) = (args.next(), args.next()) else {
        eprintln!("usage: synth N FOLDER");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("synth: N must be a whole number, not {n:?}");
        std::process::exit(2);
    };
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match policydash::synth::generate(&root, std::path::Path::new(&to), n) {
        Ok(files) => println!("wrote {files} files of a {n}-programme site to {to}"),
        Err(e) => {
            eprintln!("synth: {e}");
            std::process::exit(1);
        }
    }
}
