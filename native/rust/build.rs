//! Link options of libinterop_rust.so, as libinterop_native's (native/CMakeLists.txt): a SONAME, so
//! that programs linked with it need it by name, and a $ORIGIN rpath, so that it finds anything
//! beside it in the bin folder (it needs only the C runtime today).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libinterop_rust.so");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-rpath,$ORIGIN");
    println!("cargo:rerun-if-changed=build.rs");
}
