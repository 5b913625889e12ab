//! A proc macro written with the bare proc_macro API (no syn/quote):
//! `shout!(name)` defines `fn name(s: &str) -> String` that upper-cases.
use proc_macro::TokenStream;

#[proc_macro]
pub fn shout(input: TokenStream) -> TokenStream {
    let name = input.to_string();
    format!("pub fn {name}(s: &str) -> String {{ s.to_uppercase() }}")
        .parse()
        .unwrap()
}
