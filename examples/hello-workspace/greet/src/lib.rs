include!(concat!(env!("OUT_DIR"), "/greetings.rs"));

shout_macro::shout!(loud);

pub fn greet(name: &str, i: usize) -> String {
    format!("{}, {}!", GREETINGS[i % GREETINGS.len()], loud(name))
}
