#[cfg(feature = "broken")]
compile_error!("this build is broken on purpose (feature `broken`)");

fn main() {
    let who = std::env::args().nth(1).unwrap_or_else(|| "world".into());
    println!("{}", greet::greet(&who, who.len()));
    for line in stats::report() {
        println!("{line}");
    }
}
