//! Rebuilds when the built-in catalog changes (it is embedded in the binary).

fn main() {
    println!("cargo:rerun-if-changed=lifecycles");
}
